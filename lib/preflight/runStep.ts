import { StepTimeoutError } from './errors';

/** How a step ended: its value, or the error it failed with (a StepTimeoutError when a limit passed). */
export type StepOutcome<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number };

/**
 * Runs one step under its own limit and the preflight's overall signal, and never waits longer than
 * that even when `work` ignores its signal (a hung DNS lookup cannot be cancelled): the step is
 * abandoned, its signal fires so it can release what it holds, and the caller goes on.
 */
export async function runStep<T>(
  step: string,
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  overall: AbortSignal,
  now: () => number,
): Promise<StepOutcome<T>> {
  const started = now();
  const elapsed = (): number => Math.round((now() - started) * 10) / 10;
  if (overall.aborted) return { ok: false, error: new StepTimeoutError(step, timeoutMs, true), ms: 0 };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onOverall: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeoutError(step, timeoutMs, false)), timeoutMs);
    onOverall = () => reject(new StepTimeoutError(step, timeoutMs, true));
    overall.addEventListener('abort', onOverall, { once: true });
  });
  try {
    const value = await Promise.race([work(controller.signal), limit]);
    return { ok: true, value, ms: elapsed() };
  } catch (error) {
    return { ok: false, error, ms: elapsed() };
  } finally {
    clearTimeout(timer);
    if (onOverall) overall.removeEventListener('abort', onOverall);
    // Tell abandoned work to stop (and a connector to destroy its socket).
    controller.abort();
  }
}
