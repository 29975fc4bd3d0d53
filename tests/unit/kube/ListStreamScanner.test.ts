import { ListBodySyntaxError } from '../../../lib/kube/jsonScan';
import { ListStreamScanner } from '../../../lib/kube/ListStreamScanner';

/** Pushes `text` in pieces of `chunk` bytes; returns the names of the items handed out, and the end. */
function scan(text: string, chunk: number, scanThresholdBytes = 0) {
  const scanner = new ListStreamScanner({ scanThresholdBytes });
  const body = Buffer.from(text, 'utf8');
  const names: string[] = [];
  for (let i = 0; i < body.length; i += chunk) {
    const batch = scanner.push(body.subarray(i, i + chunk));
    names.push(...batch.items.map((item) => item.name ?? '?'));
  }
  const end = scanner.end();
  names.push(...end.items.map((item) => item.name ?? '?'));
  return { names, metadata: end.metadata };
}

const LIST = JSON.stringify({ kind: 'ConfigMapList', metadata: { continue: 'c' }, items: Array.from({ length: 12 }, (_, k) => ({ metadata: { name: `cm-${k}` }, data: { k: 'v'.repeat(k * 7) } })) });

describe('ListStreamScanner', () => {
  it('hands out every item once, in order, whatever the chunk size', () => {
    for (const chunk of [1, 2, 5, 64, 1000, LIST.length]) {
      expect(scan(LIST, chunk)).toEqual({ names: Array.from({ length: 12 }, (_, k) => `cm-${k}`), metadata: { continue: 'c' } });
    }
  });

  it('refuses a body cut anywhere before the list ends, having handed out only complete items', () => {
    for (let cut = 1; cut < LIST.length; cut += 7) {
      const scanner = new ListStreamScanner({ scanThresholdBytes: 0 });
      const handedOut = scanner.push(Buffer.from(LIST.slice(0, cut))).items.map((i) => i.name ?? '?');
      expect(() => scanner.end()).toThrow(ListBodySyntaxError);
      // Only items whose closing brace arrived were handed out.
      for (const name of handedOut) expect(LIST.slice(0, cut)).toContain(`"name":"${name}"},"data":{"k":"${'v'.repeat(Number(name.slice(3)) * 7)}"}}`);
    }
  });

  it('reports syntax errors at their offset in the whole body, after the window has moved on', () => {
    const broken = `${LIST.slice(0, -2)}]x}`;
    const err = (() => {
      try {
        scan(broken, 3);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ListBodySyntaxError);
    expect((err as ListBodySyntaxError).offset).toBe(broken.length - 2);
  });

  it('refuses bytes after the list, a body that is not an object, and use after end()', () => {
    expect(() => scan(`${LIST} {}`, 10)).toThrow('unexpected bytes after the list');
    expect(() => scan('[1,2]', 10)).toThrow('the body is not a JSON object');
    const scanner = new ListStreamScanner();
    scanner.push(Buffer.from('{}'));
    scanner.end();
    expect(() => scanner.push(Buffer.from(' '))).toThrow('push() after end()');
    expect(() => scanner.end()).toThrow('end() called twice');
  });

  it('waits for the threshold before scanning, then hands out what is complete', () => {
    const scanner = new ListStreamScanner({ scanThresholdBytes: 100 });
    const body = Buffer.from(LIST);
    expect(scanner.push(body.subarray(0, 99)).items).toEqual([]);
    expect(scanner.push(body.subarray(99, 150)).items.length).toBeGreaterThan(0);
  });
});

describe('a body that ends early', () => {
  it('is waited for without a stack trace per chunk, and leaves the process\'s stack trace limit as it was', () => {
    const before = Error.stackTraceLimit;
    const waiting = ListBodySyntaxError.atEnd('the body ends inside a string', 10);
    expect(Error.stackTraceLimit).toBe(before);
    expect(waiting.stack?.split('\n').filter((line) => line.trim().startsWith('at '))).toEqual([]);
  });

  it('still fails with a real error, stack and offset, when the body has truly ended', () => {
    const scanner = new ListStreamScanner({ scanThresholdBytes: 0 });
    expect(scanner.push(Buffer.from('{"kind":"List","items":[{"metadata":{"name":"a"}},{"metadata":{"na')).items).toHaveLength(1);
    let thrown: unknown;
    try {
      scanner.end();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ListBodySyntaxError);
    expect((thrown as ListBodySyntaxError).message).toMatch(/at byte \d+$/);
    expect((thrown as ListBodySyntaxError).stack?.split('\n').some((line) => line.trim().startsWith('at '))).toBe(true);
  });
});
