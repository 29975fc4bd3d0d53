import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BenchProcessError } from './errors';

/** One command for measure-process.py; its output goes to files so nothing is buffered in the bench. */
export interface MeasuredCommand {
  argv: string[];
  env: Record<string, string>;
  /** File that receives the command's stdout. */
  stdout: string;
  /** File that receives the command's stderr. */
  stderr: string;
}

export interface ProcessMeasurement {
  exitCode: number;
  wallMs: number;
  /** The process's own peak resident set (getrusage ru_maxrss), KiB. */
  maxRssKiB: number;
  userMs: number;
  systemMs: number;
}

/**
 * Runs the commands one after another under measure-process.py (os.wait4: the exact peak RSS of each
 * child, the same way for node and for kubectl) and returns one measurement per command.
 */
export async function measureProcesses(python: string, commands: MeasuredCommand[]): Promise<ProcessMeasurement[]> {
  const argv = [python, join(__dirname, 'measure-process.py')];
  const out = await runToEnd(argv, { stdin: JSON.stringify(commands), env: process.env });
  try {
    return JSON.parse(out) as ProcessMeasurement[];
  } catch (cause) {
    throw new BenchProcessError('measure-process.py', 0, `unreadable output: ${out.slice(0, 500)}`, { cause });
  }
}

/**
 * Runs a command to its end and resolves with its stdout; rejects with BenchProcessError (the tail of its
 * stderr) unless it exits 0.
 */
export function runToEnd(argv: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new BenchProcessError(argv.join(' '), code, err.slice(-2000)))));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The environment a measured child starts from: PATH and HOME only, then the given variables. */
export function baseEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...extra };
}
