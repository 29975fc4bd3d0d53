import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const BUNDLED_HANDLER = join(REPO_ROOT, 'dist', 'delegate', 'index.js');
export const CLI = join(REPO_ROOT, 'bin', 'eks-delegate.js');

/**
 * The node that runs the bundles (the handler and the CLI): DELEGATE_NODE when set, else the test runner's
 * own. `npm test` runs the integration suite a second time with DELEGATE_NODE set to Node 22, the Lambda
 * runtime's major (scripts/test-node22.sh); jest itself stays on the machine's node.
 */
export function delegateNode(): string {
  const node = process.env.DELEGATE_NODE;
  if (node === undefined || node === '') return process.execPath;
  if (!existsSync(node)) throw new Error(`DELEGATE_NODE=${node} does not exist`);
  return node;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with a clean, explicit environment (PATH and HOME kept), collecting its output. */
export function run(cmd: string, args: string[], env: Record<string, string>, input?: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** A unique suffix for names, so tests sharing one stand-in never collide. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export interface Invocation<R> {
  response: R;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Invokes the bundled handler (dist/delegate/index.js) in a fresh process of delegateNode() with an event
 * file and the function's environment, as `sam local invoke -e FILE` would.
 */
export async function invokeBundle<R = Record<string, unknown>>(event: unknown, env: Record<string, string>): Promise<Invocation<R>> {
  const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'event-'));
  const file = typeof event === 'string' ? event : join(dir, 'event.json');
  if (typeof event !== 'string') writeFileSync(file, JSON.stringify(event));
  // The response comes from its own file, never from stdout: the handler's JSON log lines go there too, and
  // a crashed run must not be read as answered by its last log line.
  const responseFile = join(dir, 'response.json');
  writeFileSync(responseFile, '');
  const out = await run(delegateNode(), [join(REPO_ROOT, 'scripts', 'invoke-bundle.cjs'), file, '--response-file', responseFile], {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'INFO', ...env,
  });
  const text = readFileSync(responseFile, 'utf8');
  if (out.code !== 0 || text === '') {
    throw new Error(`handler gave no response (exit ${out.code}).\nstdout:\n${out.stdout.slice(-3000)}\nstderr:\n${out.stderr.slice(-3000)}`);
  }
  return { response: JSON.parse(text) as R, ...out };
}
