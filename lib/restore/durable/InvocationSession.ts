import type { StepSession } from './runDurableRestore';

/**
 * The cluster session the steps of one invocation share: opened by the first step that needs it (a
 * DescribeCluster, a token, TLS connections), kept for the next steps, and closed before the invocation ends
 * (at a wait, or when the restore returns). A step that fails drops it, so its retry opens a fresh one.
 */
export class InvocationSession {
  readonly #open: () => Promise<StepSession>;
  #session: Promise<StepSession> | undefined;

  constructor(open: () => Promise<StepSession>) {
    this.#open = open;
  }

  get(): Promise<StepSession> {
    if (!this.#session) {
      const opening = this.#open();
      this.#session = opening;
      opening.catch(() => {
        if (this.#session === opening) this.#session = undefined;
      });
    }
    return this.#session;
  }

  /** Closes the session, if one was opened; the next get() opens another. */
  close(): void {
    const session = this.#session;
    this.#session = undefined;
    void session?.then((s) => s.close(), () => undefined);
  }
}
