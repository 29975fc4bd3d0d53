import { InvocationReads } from './InvocationReads';
import type { StepSession } from './runDurableRestore';

/**
 * The cluster session the steps of one invocation share: opened by the first step that needs it (a
 * DescribeCluster, a token, TLS connections), kept for the next steps, and closed before the invocation ends
 * (at a wait, or when the restore returns). A step that fails drops it, so its retry opens a fresh one; one
 * that could not be opened is forgotten the same way (InvocationReads).
 */
export class InvocationSession {
  readonly #open: () => Promise<StepSession>;
  readonly #kept = new InvocationReads();

  constructor(open: () => Promise<StepSession>) {
    this.#open = open;
  }

  get(): Promise<StepSession> {
    return this.#kept.once('session', this.#open);
  }

  /** Closes the session, if one was opened; the next get() opens another. */
  close(): void {
    void this.#kept.forget<StepSession>('session')?.then((s) => s.close(), () => undefined);
  }
}
