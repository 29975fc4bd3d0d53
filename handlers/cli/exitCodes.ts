import type { DelegateResponse } from '../delegate';

/**
 * The CLI's exit codes: 0 ok, 1 failed (or the recovery point is INVALID, or readiness NOT_READY), 2 partial
 * (or readiness AT_RISK), 64 usage (sysexits EX_USAGE).
 */
export const EXIT = { OK: 0, FAILED: 1, PARTIAL: 2, USAGE: 64 } as const;

/** The exit code a response means; bad input (flags the handler refused) is a usage error. */
export function exitCodeOf(response: DelegateResponse): number {
  if (response.reason === 'invalid-input') return EXIT.USAGE;
  switch (response.status) {
    case 'PARTIAL': case 'AT_RISK': return EXIT.PARTIAL;
    case 'FAILED': case 'INVALID': case 'NOT_READY': case 'NOT_AUTHENTICATED': case 'NO_ACCESS': return EXIT.FAILED;
    default: return EXIT.OK;
  }
}
