import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchProcessError } from './errors';
import { lambdaRuntimeNodeArgs } from './lambdaRuntime';
import { baseEnv, measureProcesses, type ProcessMeasurement } from './measureProcesses';

/** The fields of the handler's backup response the bench reads. */
export interface BackupResponse {
  action: string;
  status: string;
  location: string;
  objects: number;
  resources: number;
  bytes: number;
  durationMs: number;
  unreadable: unknown[];
  error?: string;
}

export interface DelegateRun {
  response: BackupResponse;
  /** The whole invocation's process: node start, bundle load, EKS token, backup, exit. */
  process: ProcessMeasurement;
}

export interface RunDelegateOptions {
  repoRoot: string;
  python: string;
  /** Folder for the event, response and log files. */
  workDir: string;
  /** The delegate's environment (StandInClient.delegateEnv). */
  env: Record<string, string>;
  /** Write a V8 CPU profile here. @default undefined */
  cpuProfDir?: string;
  /** The function's memory: node runs with the Lambda runtime's flags for it (lambdaRuntimeNodeArgs). */
  memorySizeMb: number;
  /** The node binary that runs the delegate. @default process.execPath */
  node?: string;
}

let runs = 0;

/**
 * One backup by the BUNDLED handler in its own process, as `sam local invoke` would run it
 * (scripts/invoke-bundle.cjs, with the Lambda runtime's node flags for the function's memory), measured
 * from outside: wall time and the process's peak RSS.
 */
export async function runDelegate(opts: RunDelegateOptions): Promise<DelegateRun> {
  const n = ++runs;
  const responseFile = join(opts.workDir, `backup-${n}.response.json`);
  const stdout = join(opts.workDir, `backup-${n}.stdout`);
  const stderr = join(opts.workDir, `backup-${n}.stderr`);
  writeFileSync(responseFile, '');
  const prof = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const [measured] = await measureProcesses(opts.python, [{
    argv: [
      opts.node ?? process.execPath, ...lambdaRuntimeNodeArgs(opts.memorySizeMb), ...prof,
      join(opts.repoRoot, 'scripts', 'invoke-bundle.cjs'), join(opts.repoRoot, 'events', 'backup.json'), '--response-file', responseFile,
    ],
    env: baseEnv({
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'INFO',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(opts.memorySizeMb), ...opts.env,
    }),
    stdout, stderr,
  }]);
  const text = readFileSync(responseFile, 'utf8');
  if (!measured || measured.exitCode !== 0 || text === '') {
    throw new BenchProcessError('invoke-bundle.cjs', measured?.exitCode ?? null, readFileSync(stderr, 'utf8').slice(-3000));
  }
  const response = JSON.parse(text) as BackupResponse;
  if (response.status !== 'COMPLETED') {
    throw new BenchProcessError('invoke-bundle.cjs', measured.exitCode, `backup ${response.status}: ${text.slice(0, 2000)}\n${readFileSync(stderr, 'utf8').slice(-2000)}`);
  }
  return { response, process: measured };
}
