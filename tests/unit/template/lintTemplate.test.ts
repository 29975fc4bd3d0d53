import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// scripts/lint-template.py, which CI runs (.ci/run): AWS's own linters, cfn-lint and the SAM transform
// (aws-sam-translator, both installed with pip), pass on template.yaml and fail loudly on a broken one.
const REPO_ROOT = join(__dirname, '..', '..', '..');
const TEMPLATE = readFileSync(join(REPO_ROOT, 'template.yaml'), 'utf8');

async function lint(text: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lint-template-'));
  try {
    writeFileSync(join(dir, 'template.yaml'), text);
    const { stdout, stderr } = await promisify(execFile)('python3', [join(REPO_ROOT, 'scripts', 'lint-template.py'), join(dir, 'template.yaml')]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function edited(search: string, replacement: string): string {
  if (!TEMPLATE.includes(search)) throw new Error(`${search} not in template.yaml`);
  return TEMPLATE.replace(search, replacement);
}

it('passes template.yaml: the SAM transform after packaging, and cfn-lint including informational checks', async () => {
  const out = await lint(TEMPLATE);
  expect(out).toMatchObject({ code: 0, stderr: '' });
  expect(out.stdout).toMatch(/SAM transform OK \(\d+ CloudFormation resources\), cfn-lint OK/);
}, 120_000);

it('fails naming the problem when the SAM transform refuses the template', async () => {
  const out = await lint(edited('      Runtime: nodejs22.x\n', '      Runtime: nodejs22.x\n      Events: { Nightly: { Type: NoSuchEvent } }\n'));
  expect(out.code).toBe(1);
  expect(out.stderr).toMatch(/SAM transform \(aws-sam-translator\) refuses the template:\n {2}- .*Event with id \[Nightly\] is invalid/);
}, 120_000);

it('fails on cfn-lint\'s I3011 when the log group would be deleted with the stack', async () => {
  const out = await lint(edited('    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n', ''));
  expect(out.code).toBe(1);
  expect(out.stderr).toMatch(/cfn-lint found problems[\s\S]*I3011/);
}, 120_000);
