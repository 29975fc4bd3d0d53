import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// What `sam deploy` ships is the bundle the tests exercise (issue 27): `sam build` runs `make build-Function`
// (BuildMethod: makefile) in a scratch copy of the source with ARTIFACTS_DIR set. Done here the same way, in
// a copy, and compared byte for byte with what `npm run build` (scripts/build.mjs) makes from the same copy.
const REPO_ROOT = join(__dirname, '..', '..', '..');
const SOURCES = ['package.json', 'tsconfig.json', 'Makefile', 'scripts', 'handlers', 'lib'];
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

it('make build-Function puts exactly the bundle scripts/build.mjs makes into ARTIFACTS_DIR, as index.js the Handler loads', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'sam-build-'));
  try {
    const source = join(scratch, 'source');
    for (const entry of SOURCES) cpSync(join(REPO_ROOT, entry), join(source, entry), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(source, 'node_modules'));
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: source, stdio: 'pipe' });
    const tested = sha256(join(source, 'dist', 'delegate', 'index.js'));
    rmSync(join(source, 'dist'), { recursive: true });

    const artifacts = join(scratch, 'artifacts');
    mkdirSync(artifacts); // SAM makes the folder before it runs make
    execFileSync('make', ['build-Function', `ARTIFACTS_DIR=${artifacts}`], { cwd: source, stdio: 'pipe' });
    expect(readdirSync(artifacts)).toEqual(['index.js']);
    expect(sha256(join(artifacts, 'index.js'))).toBe(tested);
    const loaded = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(join(artifacts, 'index.js'))}).handler)`], {
      encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(loaded).toBe('function');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}, 120_000);

it('make build-Function refuses to run without ARTIFACTS_DIR, naming it', () => {
  let stderr = '';
  try {
    execFileSync('make', ['--no-print-directory', 'build-Function'], { cwd: REPO_ROOT, stdio: 'pipe', env: { ...process.env, ARTIFACTS_DIR: '' } });
  } catch (err) {
    stderr = String((err as { stderr?: Buffer }).stderr);
  }
  expect(stderr).toMatch(/ARTIFACTS_DIR is not set/);
});
