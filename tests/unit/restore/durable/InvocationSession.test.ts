import { InvocationSession } from '../../../../lib/restore/durable/InvocationSession';
import type { StepSession } from '../../../../lib/restore/durable';

function sessions() {
  const opened: Array<{ closed: boolean }> = [];
  let failNext = false;
  const open = async (): Promise<StepSession> => {
    if (failNext) {
      failNext = false;
      throw new Error('DescribeCluster: throttled');
    }
    const state = { closed: false };
    opened.push(state);
    return { deps: {} as StepSession['deps'], close: () => (state.closed = true) };
  };
  return { opened, open, failOnce: () => (failNext = true) };
}

describe('InvocationSession', () => {
  it('opens one session for every step of an invocation and closes it once', async () => {
    const s = sessions();
    const session = new InvocationSession(s.open);
    const [a, b] = await Promise.all([session.get(), session.get()]);
    expect(await session.get()).toBe(a);
    expect(b).toBe(a);
    expect(s.opened).toHaveLength(1);
    session.close();
    await new Promise((r) => setImmediate(r));
    expect(s.opened.map((o) => o.closed)).toEqual([true]);
    // After a close (a step failed, or the invocation is about to end), the next step opens a fresh one.
    await session.get();
    expect(s.opened).toHaveLength(2);
  });

  it('forgets a session that could not be opened, so the retry opens again', async () => {
    const s = sessions();
    const session = new InvocationSession(s.open);
    s.failOnce();
    await expect(session.get()).rejects.toThrow('throttled');
    await expect(session.get()).resolves.toBeDefined();
    session.close();
    expect(s.opened).toHaveLength(1);
  });
});
