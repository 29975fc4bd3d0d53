import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverResources } from '../../../lib/kube/discovery';
import { KubeBodyInterruptedError, KubeInvalidBodyError, KubeNetworkError, KubeTlsError } from '../../../lib/kube/errors';
import { KubeClient } from '../../../lib/kube/KubeClient';
import { streamListItems, type ArchivableItem } from '../../../lib/kube/listItems';
import { streamResourceItems } from '../../../lib/kube/pager';
import { withBodyRetries } from '../../../lib/kube/responseBody';
import type { DiscoveredResource, KubeRequest, KubeResponse, KubeTransport } from '../../../lib/kube/types';
import { makeCerts } from '../../standin/certs';
import { FakeDiscoveryTransport, loadDiscoveryFixture } from './helpers/fakeDiscoveryTransport';

const configmaps: DiscoveredResource = { group: '', version: 'v1', groupVersion: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['list'], name: 'configmaps' };
const FULL_PAGE = '{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"a","namespace":"ns"}}]}';
const CUT_PAGE = FULL_PAGE.slice(0, 60);

/** Answers each request with the next body in `bodies` (the last one repeats). */
class ScriptedTransport implements KubeTransport {
  readonly requests: KubeRequest[] = [];
  constructor(private readonly bodies: string[]) {}
  async request(req: KubeRequest): Promise<KubeResponse> {
    this.requests.push(req);
    const body = this.bodies[Math.min(this.requests.length - 1, this.bodies.length - 1)] ?? '';
    return { status: 200, headers: {}, body: Buffer.from(body) };
  }
}

/** Every item of a list through the streaming pager, as `{name, namespace}`. */
async function listAll(transport: KubeTransport, namespace?: string): Promise<Array<ArchivableItem['metadata']>> {
  const seen: Array<ArchivableItem['metadata']> = [];
  await streamResourceItems<ArchivableItem>((req, onItems) => streamListItems(transport, configmaps, req, namespace, onItems), async (items) => {
    seen.push(...items.map((i) => i.metadata));
  }, { pageSize: 10 });
  return seen;
}

describe('a 2xx answer whose JSON is cut short', () => {
  it('is fetched again and the page comes back whole', async () => {
    const transport = new ScriptedTransport([CUT_PAGE, FULL_PAGE]);
    expect(await listAll(transport, 'ns')).toEqual([{ name: 'a', namespace: 'ns' }]);
    expect(transport.requests).toHaveLength(2);
  });

  it('is fetched again when the list has no items array', async () => {
    const transport = new ScriptedTransport(['{"kind":"ConfigMapList","items":7}', FULL_PAGE]);
    expect(await listAll(transport)).toHaveLength(1);
  });

  it('fails with KubeInvalidBodyError (a KubeNetworkError) after 3 attempts', async () => {
    const transport = new ScriptedTransport([CUT_PAGE]);
    const err = await listAll(transport).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeInvalidBodyError);
    expect(err).toBeInstanceOf(KubeNetworkError);
    expect(transport.requests).toHaveLength(3);
  });

  it('does not repeat other errors', async () => {
    let calls = 0;
    const boom = new Error('boom');
    await expect(withBodyRetries(async () => {
      calls++;
      throw boom;
    })).rejects.toBe(boom);
    expect(calls).toBe(1);
  });

  it('stops repeating once the signal is aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const reason = new Error('deadline');
    const result = withBodyRetries(async () => {
      calls++;
      controller.abort(reason);
      throw new KubeInvalidBodyError('/api', 'cut');
    }, controller.signal);
    await expect(result).rejects.toBe(reason);
    expect(calls).toBe(1);
  });

  it('is fetched again during discovery instead of failing it', async () => {
    const responses = loadDiscoveryFixture('discovery-1.20');
    let cut = true;
    const fake = new FakeDiscoveryTransport(responses);
    const transport: KubeTransport = {
      async request(req) {
        const res = await fake.request(req);
        if (req.path === '/api/v1' && cut) {
          cut = false;
          return { ...res, body: res.body.subarray(0, 40) };
        }
        return res;
      },
    };
    const result = await discoverResources(transport);
    expect(result.resources.some((r) => r.name === 'configmaps')).toBe(true);
    expect(fake.requests.filter((r) => r.path === '/api/v1')).toHaveLength(2);
  });
});

describe('KubeClient and the cluster CA', () => {
  let server: Server;
  let endpoint: string;
  let requests = 0;
  let otherCa: string;
  let rightCa: string;

  beforeAll(async () => {
    const served = makeCerts(mkdtempSync(join(tmpdir(), 'kube-tls-')));
    const other = makeCerts(mkdtempSync(join(tmpdir(), 'kube-tls-other-')));
    rightCa = served.caPem;
    otherCa = other.caPem;
    server = createServer({ cert: readFileSync(served.serverCert), key: readFileSync(served.serverKey) }, (_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"APIVersions","versions":["v1"]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const tokens = { getToken: async () => 'token', invalidate: () => undefined };

  it('fails at once with KubeTlsError, never retried, when the certificate does not verify against the CA', async () => {
    const sleeps: number[] = [];
    const client = new KubeClient({ endpoint, caPem: otherCa, tokens, sleep: async (ms) => void sleeps.push(ms) });
    try {
      const err = await client.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeTlsError);
      expect(err).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', path: '/api' });
      expect(sleeps).toEqual([]);
      expect(requests).toBe(0);
    } finally {
      client.destroy();
    }
  });

  it('talks to the server when its certificate verifies against the CA', async () => {
    const client = new KubeClient({ endpoint, caPem: rightCa, tokens });
    try {
      expect((await client.request({ method: 'GET', path: '/api' })).status).toBe(200);
    } finally {
      client.destroy();
    }
  });

  it('refuses a plain http endpoint', () => {
    expect(() => new KubeClient({ endpoint: endpoint.replace('https:', 'http:'), caPem: rightCa, tokens })).toThrow(/non-https/);
  });
});

describe('KubeClient.stream', () => {
  let server: Server;
  let endpoint: string;
  let caPem: string;
  /** What the server does with the next request; the last entry repeats. */
  let script: Array<(res: import('node:http').ServerResponse) => void> = [];
  let served = 0;

  beforeAll(async () => {
    const certs = makeCerts(mkdtempSync(join(tmpdir(), 'kube-stream-')));
    caPem = certs.caPem;
    server = createServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) }, (_req, res) => {
      const step = script[Math.min(served, script.length - 1)]!;
      served++;
      step(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    served = 0;
  });

  const tokens = { getToken: async () => 'token', invalidate: () => undefined };
  const client = () => new KubeClient({ endpoint, caPem, tokens, sleep: async () => undefined });
  const collect = async (body: AsyncIterable<Buffer>) => {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return chunks;
  };

  it('hands a 2xx body over in the pieces it arrives in', async () => {
    const pieces = ['{"items":[', '{"metadata":{"name":"a"}}', ']}'];
    script = [(res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let i = 0;
      const next = () => (i < pieces.length ? res.write(pieces[i++], () => setTimeout(next, 20)) : res.end());
      next();
    }];
    const c = client();
    try {
      const res = await c.stream({ method: 'GET', path: '/api/v1/configmaps' });
      expect(res.status).toBe(200);
      const chunks = await collect(res.body);
      expect(Buffer.concat(chunks).toString()).toBe(pieces.join(''));
      expect(chunks.length).toBeGreaterThan(1);
    } finally {
      c.destroy();
    }
  });

  it('retries a 503 before handing over the 200 that follows, and reads error bodies whole', async () => {
    script = [
      (res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('busy'),
      (res) => res.writeHead(200).end('{"items":[]}'),
    ];
    const c = client();
    try {
      const res = await c.stream({ method: 'GET', path: '/api/v1/configmaps' });
      expect(res.status).toBe(200);
      expect(Buffer.concat(await collect(res.body)).toString()).toBe('{"items":[]}');
      expect(served).toBe(2);
      script = [(res) => res.writeHead(403).end('{"kind":"Status","reason":"Forbidden"}')];
      const denied = await c.stream({ method: 'GET', path: '/api/v1/secrets' });
      expect(denied.status).toBe(403);
      expect(Buffer.concat(await collect(denied.body)).toString()).toContain('Forbidden');
    } finally {
      c.destroy();
    }
  });

  it('leaves no abort listener on the run\'s signal after its retries (a million-object backup warned of 11)', async () => {
    script = [
      (res) => res.writeHead(503).end('busy'),
      (res) => res.writeHead(503).end('busy'),
      (res) => res.writeHead(200).end('{"items":[]}'),
    ];
    // The real sleep, kept short: the retries must wait on the signal and let go of it afterwards.
    const c = new KubeClient({ endpoint, caPem, tokens, baseDelayMs: 5, maxDelayMs: 10 });
    const controller = new AbortController();
    try {
      for (let i = 0; i < 4; i++) {
        served = 0;
        const res = await c.stream({ method: 'GET', path: '/api/v1/configmaps', signal: controller.signal });
        await collect(res.body);
        expect(served).toBe(3);
      }
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      c.destroy();
    }
  });

  it('stops a retry\'s wait when the signal is aborted, with the signal\'s reason', async () => {
    script = [(res) => res.writeHead(503).end('busy')];
    const c = new KubeClient({ endpoint, caPem, tokens, baseDelayMs: 60_000, maxDelayMs: 60_000 });
    const controller = new AbortController();
    const reason = new Error('deadline');
    try {
      const t0 = Date.now();
      const pending = c.stream({ method: 'GET', path: '/api/v1/configmaps', signal: controller.signal });
      setTimeout(() => controller.abort(reason), 100);
      await expect(pending).rejects.toBe(reason);
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      c.destroy();
    }
  });

  it('ends the body with KubeBodyInterruptedError when the connection breaks mid-body', async () => {
    script = [(res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items":[{"metadata":', () => setTimeout(() => res.socket?.destroy(), 20));
    }];
    const c = client();
    try {
      const res = await c.stream({ method: 'GET', path: '/api/v1/configmaps' });
      const err = await collect(res.body).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeBodyInterruptedError);
      expect(err).toBeInstanceOf(KubeNetworkError);
      expect(served).toBe(1); // not retried by the client: items may already have been handed on
    } finally {
      c.destroy();
    }
  });

  it('hands a 429 back at once with handBack429 (a caller that paces itself); retries it otherwise', async () => {
    const tooMany = (res: import('node:http').ServerResponse) => res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' }).end('{"kind":"Status","code":429}');
    script = [tooMany, tooMany, (res) => res.writeHead(201).end('{}')];
    const paced = await client().request({ method: 'POST', path: '/api/v1/namespaces', body: {}, handBack429: true });
    expect({ status: paced.status, retryAfter: paced.headers['retry-after'], served }).toEqual({ status: 429, retryAfter: '3', served: 1 });
    served = 0;
    const retried = await client().request({ method: 'POST', path: '/api/v1/namespaces', body: {} });
    expect({ status: retried.status, served }).toEqual({ status: 201, served: 3 });
  });
});

describe('KubeClient and an API server that refuses connections (a restart, issue 15)', () => {
  const tokens = { getToken: async () => 'token', invalidate: () => undefined };
  let certs: ReturnType<typeof makeCerts>;
  let port: number;

  beforeAll(async () => {
    certs = makeCerts(mkdtempSync(join(tmpdir(), 'kube-refused-')));
  });

  beforeEach(async () => {
    // A port nothing listens on (yet).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  /** A client whose sleeps move a fake clock instead of waiting; `onSleep` sees each one. */
  function clientWithClock(onSleep: (ms: number, count: number) => Promise<void> | void) {
    let clock = 0;
    const sleeps: number[] = [];
    const client = new KubeClient({
      endpoint: `https://127.0.0.1:${port}`, caPem: certs.caPem, tokens, now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
        await onSleep(ms, sleeps.length);
      },
    });
    return { client, sleeps, elapsed: () => clock };
  }

  it('keeps trying past its 6 attempts and gets the answer once the server listens again', async () => {
    let server: Server | undefined;
    const { client, sleeps } = clientWithClock(async (_ms, count) => {
      if (count !== 8) return;
      server = createServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) }, (_req, res) => res.writeHead(200).end('{}'));
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    });
    try {
      const res = await client.request({ method: 'GET', path: '/api' });
      expect(res.status).toBe(200);
      expect(sleeps).toHaveLength(8);
      // Past the sixth attempt it probes every 2-4 s rather than backing off further.
      for (const ms of sleeps.slice(5)) expect(ms).toBeGreaterThanOrEqual(2000);
      for (const ms of sleeps.slice(5)) expect(ms).toBeLessThanOrEqual(4000);
    } finally {
      client.destroy();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
  });

  it('gives up with KubeNetworkError once 60 s have passed since the first attempt', async () => {
    const { client, sleeps, elapsed } = clientWithClock(() => undefined);
    try {
      const err = await client.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeNetworkError);
      expect(String(err)).toMatch(/ECONNREFUSED/);
      expect(sleeps.length).toBeGreaterThan(6);
      expect(elapsed()).toBeGreaterThanOrEqual(60_000);
      expect(elapsed() - sleeps.at(-1)!).toBeLessThan(60_000); // the last sleep started inside the 60 s
    } finally {
      client.destroy();
    }
  });

  it('still gives a server that answers 503 six attempts only', async () => {
    let answered = 0;
    const server = createServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) }, (_req, res) => {
      answered++;
      res.writeHead(503).end('busy');
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const { client } = clientWithClock(() => undefined);
    try {
      expect((await client.request({ method: 'GET', path: '/api' })).status).toBe(503);
      expect(answered).toBe(6);
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
