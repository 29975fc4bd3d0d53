import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedArgv } from './CpuPin';
import { BenchProcessError } from './errors';
import { lambdaRuntimeNodeArgs, templateRuntimeEnv } from './lambdaRuntime';
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
  warnings?: string[];
  error?: string;
}

/** What every action's response carries. */
export interface ActionResponse {
  action: string;
  status: string;
  durationMs: number;
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
  /** Run it on these cores only (taskset cpu list). @default undefined (any core) */
  cpuList?: string;
}

export interface RunActionOptions extends RunDelegateOptions {
  /** The event, as JSON. */
  event: Record<string, unknown>;
  /** The statuses that count as success. */
  okStatuses: readonly string[];
}

let runs = 0;

/**
 * One backup by the BUNDLED handler in its own process, as `sam local invoke` would run it
 * (scripts/invoke-bundle.cjs, with the Lambda runtime's node flags for the function's memory), measured
 * from outside: wall time and the process's peak RSS.
 */
export async function runDelegate(opts: RunDelegateOptions): Promise<DelegateRun> {
  const event = JSON.parse(readFileSync(join(opts.repoRoot, 'events', 'backup.json'), 'utf8')) as Record<string, unknown>;
  const run = await runAction<BackupResponse>({ ...opts, event, okStatuses: ['COMPLETED'] });
  return { response: run.response, process: run.process };
}

/** Any action of the bundled handler, run and measured as runDelegate runs a backup. */
export async function runAction<R extends ActionResponse>(opts: RunActionOptions): Promise<{ response: R; process: ProcessMeasurement }> {
  const n = ++runs;
  const action = typeof opts.event.action === 'string' ? opts.event.action : 'action';
  const eventFile = join(opts.workDir, `${action}-${n}.event.json`);
  const responseFile = join(opts.workDir, `${action}-${n}.response.json`);
  const stdout = join(opts.workDir, `${action}-${n}.stdout`);
  const stderr = join(opts.workDir, `${action}-${n}.stderr`);
  writeFileSync(eventFile, JSON.stringify(opts.event));
  writeFileSync(responseFile, '');
  const prof = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const [measured] = await measureProcesses(opts.python, [{
    argv: pinnedArgv([
      opts.node ?? process.execPath, ...lambdaRuntimeNodeArgs(opts.memorySizeMb), ...prof,
      join(opts.repoRoot, 'scripts', 'invoke-bundle.cjs'), eventFile, '--response-file', responseFile,
    ], opts.cpuList),
    env: baseEnv({
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'INFO',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(opts.memorySizeMb), ...templateRuntimeEnv(join(opts.repoRoot, 'template.yaml')), ...opts.env,
    }),
    stdout, stderr,
  }]);
  const text = readFileSync(responseFile, 'utf8');
  if (!measured || measured.exitCode !== 0 || text === '') {
    throw new BenchProcessError('invoke-bundle.cjs', measured?.exitCode ?? null, readFileSync(stderr, 'utf8').slice(-3000));
  }
  const response = JSON.parse(text) as R;
  if (!opts.okStatuses.includes(response.status)) {
    throw new BenchProcessError('invoke-bundle.cjs', measured.exitCode, `${action} ${response.status}: ${text.slice(0, 2000)}\n${readFileSync(stderr, 'utf8').slice(-2000)}`);
  }
  return { response, process: measured };
}
