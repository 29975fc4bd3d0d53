import { readFileSync } from 'node:fs';
import { parseTemplate, section } from '../tests/unit/template/templateChecks';

/**
 * The V8 memory flags the AWS Lambda Node.js runtime starts node with (its /var/runtime/bootstrap, also
 * run by `sam local invoke`): a tenth of the function's memory for the young generation (half of it per
 * semi-space), the rest for the old generation, and --expose-gc. They decide how far V8 lets its heap
 * grow before collecting, so the bench runs the delegate with them to measure its memory as Lambda
 * would see it (issue 8).
 */
export function lambdaRuntimeNodeArgs(memorySizeMb: number): string[] {
  const newSpace = Math.floor(memorySizeMb / 10);
  return ['--expose-gc', `--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memorySizeMb - newSpace}`];
}

/** The function's MemorySize as deployed by default: template.yaml's MemorySize parameter default. */
export function templateMemorySizeMb(templatePath: string): number {
  const template = parseTemplate(readFileSync(templatePath, 'utf8'));
  const value = section(section(template, 'Parameters'), 'MemorySize')['Default'];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${templatePath}: Parameters.MemorySize.Default is not an integer`);
  return value;
}

/**
 * What template.yaml sets in the functions' environment for the runtime itself rather than for the delegate:
 * glibc's malloc settings (MALLOC_*), read when node starts. The bench runs the delegate with them, as Lambda
 * would; the delegate's own settings come from the stand-in. Throws when the two functions disagree.
 */
export function templateRuntimeEnv(templatePath: string): Record<string, string> {
  const template = parseTemplate(readFileSync(templatePath, 'utf8'));
  const envs = ['Function', 'DurableRestoreFunction'].map((name) => {
    const variables = section(section(section(section(section(template, 'Resources'), name), 'Properties'), 'Environment'), 'Variables');
    return Object.fromEntries(Object.entries(variables).filter((e): e is [string, string] => e[0].startsWith('MALLOC_') && typeof e[1] === 'string'));
  });
  if (JSON.stringify(envs[0]) !== JSON.stringify(envs[1])) throw new Error(`${templatePath}: Function and DurableRestoreFunction set different MALLOC_* variables`);
  return envs[0]!;
}

/** Lambda gives a function one vCPU per 1,769 MB of memory, a share of one below that. */
export const LAMBDA_MB_PER_VCPU = 1769;

/**
 * The wall time a Lambda of `memorySizeMb` would need for work that took `cpuMs` of CPU and `wallMs`
 * of wall time here: the CPU stretched over the function's share of a vCPU (cpuMs / (memorySizeMb /
 * 1769)), but never less than the measured wall time (waiting on the API server does not shrink). A
 * rough bound: it assumes the CPU is spread evenly and ignores burst credit. Above 1,769 MB a function
 * has more than one vCPU, which a single-threaded process cannot use, so the share is capped at 1.
 */
export function lambdaWallMs(cpuMs: number, wallMs: number, memorySizeMb: number): number {
  const share = Math.min(1, memorySizeMb / LAMBDA_MB_PER_VCPU);
  return Math.max(wallMs, cpuMs / share);
}
