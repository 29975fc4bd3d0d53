import type { NotFound } from '../actions';

export type { NotFound } from '../actions';

// One table of exit codes, the same meaning in every command (docs/cli.md prints it; a unit test keeps the
// two in step). 64 is sysexits' EX_USAGE, as the AWS CLI and kubectl-style tools use a usage code apart.

/** The CLI's exit codes. */
export const EXIT = { OK: 0, FAILED: 1, PARTIAL: 2, NOT_FOUND: 3, WRONG_CLUSTER: 4, BAD_INPUT: 64 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means, for `--help` and docs/cli.md. */
export const EXIT_CODE_MEANINGS: ReadonlyArray<{ code: ExitCode; meaning: string }> = [
  { code: EXIT.OK, meaning: 'done: the result is on stdout' },
  { code: EXIT.FAILED, meaning: 'failed: AWS or the cluster refused or could not be reached, no access, the deadline, a recovery point that is INVALID, or readiness NOT_READY' },
  { code: EXIT.PARTIAL, meaning: 'partial: done, but some objects or types were not backed up or restored (the result says which), or readiness AT_RISK' },
  { code: EXIT.NOT_FOUND, meaning: 'unknown recovery point or restore: none by that id (or none at all) for the cluster under that bucket and prefix' },
  { code: EXIT.WRONG_CLUSTER, meaning: 'wrong cluster: EKS has no usable cluster by that name in that region (not found, or not ACTIVE)' },
  { code: EXIT.BAD_INPUT, meaning: 'bad input: a flag, an event file or a value the delegate refused; the message names it and the fix' },
];

/**
 * What the exit code depends on: every DelegateResponse has these fields or leaves them out. Read as values,
 * not by action, so that a deployed delegate of another version gets the same codes.
 */
export interface ExitView {
  action: string;
  status: string;
  reason?: string;
  notFound?: NotFound;
  /** list-recovery-points: an empty listing is "not found". */
  recoveryPoints?: unknown;
  incomplete?: unknown;
  nextToken?: unknown;
}

/** The exit code a response means. */
export function exitCodeOf(response: ExitView): ExitCode {
  if (response.notFound === 'cluster') return EXIT.WRONG_CLUSTER;
  if (response.notFound === 'recovery-point' || response.reason === 'not-found') return EXIT.NOT_FOUND;
  if (response.reason === 'invalid-input') return EXIT.BAD_INPUT;
  // A catalog listing with nothing in it: the cluster name or prefix names no recovery point.
  if (response.action === 'list-recovery-points' && isEmptyList(response)) return EXIT.NOT_FOUND;
  switch (response.status) {
    case 'PARTIAL': case 'AT_RISK': return EXIT.PARTIAL;
    case 'FAILED': case 'INVALID': case 'NOT_READY': case 'NOT_AUTHENTICATED': case 'NO_ACCESS': return EXIT.FAILED;
    default: return EXIT.OK;
  }
}

function isEmptyList(response: ExitView): boolean {
  const empty = (v: unknown) => Array.isArray(v) && v.length === 0;
  return response.status !== 'FAILED' && empty(response.recoveryPoints) && empty(response.incomplete) && response.nextToken === undefined;
}
