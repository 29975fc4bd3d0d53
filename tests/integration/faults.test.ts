import { HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { mintEksToken } from '../../lib/eks';
import { parseManifest } from '../../lib/recovery-point';
import { servesAggregatedDiscovery } from '../standin/kubeVersion';
import { provisionedPaths } from '../standin/provision';
import { StandInClient, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes, readArchive } from './archive';
import { frontApiServer, frontS3, TcpGate, type Front, type FaultRule } from './faultFronts';
import { invokeBundle, unique } from './helpers';
import { createKmsKey } from './kms';
import { brokenAggregatedApi } from './serverBehaviour';

// Faults injected between the bundled delegate and the real API server / moto S3 (tests/integration/
// faultFronts.ts): each case ends COMPLETED with every object, or FAILED/PARTIAL naming the reason.
const standIn = StandInClient.fromEnv();
const s3 = standIn.s3();
const bucket = standIn.conn.bucket;
const ns = unique('faults');
const PAGE_SIZE = 10;
const CONFIGMAPS = 25; // three pages of ten
const SECRET_VALUES = [`db-password-${randomBytes(6).toString('hex')}`, `api-key-${randomBytes(9).toString('hex')}`];
let masters: RoleCredentials;

interface BackupResponse {
  action: string; status: string; recoveryPointId: string; location: string; objects: number; bytes: number;
  reason?: string; error?: string; warnings: string[]; durationMs: number;
  unreadable: Array<{ resource: string; reason: string; error?: string }>;
}

const configmapsOf = (namespace: string) => `/api/v1/namespaces/${namespace}/configmaps`;
const isList = (req: IncomingMessage, path: string) => req.method === 'GET' && (req.url ?? '').split('?')[0] === path;
const isContinue = (req: IncomingMessage) => /[?&]continue=/.test(req.url ?? '');
const folderOf = (location: string) => location.replace(`s3://${bucket}/`, '');

/** When the EKS token in `Bearer k8s-aws-v1.<base64url presigned URL>` was signed (its X-Amz-Date), in ms. */
function tokenSignedAt(authorization: string | undefined): number {
  const url = new URL(Buffer.from((authorization ?? '').replace(/^Bearer k8s-aws-v1\./, ''), 'base64url').toString('utf8'));
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(url.searchParams.get('X-Amz-Date') ?? '');
  if (!m) throw new Error('a request without an EKS token');
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

async function servedNames(path: string): Promise<string[]> {
  return (await standIn.kube('GET', path)).json<{ items: Array<{ metadata: { name: string } }> }>().items.map((i) => i.metadata.name).sort();
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function openUploads(): Promise<string[]> {
  const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (out.Uploads ?? []).map((u) => u.Key ?? '');
}

/** Names per resource in `namespace`, from the committed archive; fails on any duplicate entry. */
async function archivedNames(response: BackupResponse, namespace: string): Promise<Record<string, string[]>> {
  const entries = await readArchive(await getObjectBytes(s3, bucket, `${folderOf(response.location)}resources.tar.gz`));
  const paths = entries.map((e) => e.path);
  expect(paths.length - new Set(paths).size).toBe(0);
  const byResource: Record<string, string[]> = {};
  for (const e of entries) {
    if (e.kind === 'object' && e.namespace === namespace) (byResource[e.resourceName] ??= []).push(e.name);
  }
  for (const list of Object.values(byResource)) list.sort();
  return byResource;
}

/** Every configmap and secret of the test namespace is in the recovery point, once. */
async function expectEveryObject(response: BackupResponse, namespace = ns): Promise<void> {
  expect({ status: response.status, reason: response.reason, error: response.error, unreadable: response.unreadable })
    .toEqual({ status: 'COMPLETED', reason: undefined, error: undefined, unreadable: [] });
  const archived = await archivedNames(response, namespace);
  expect(archived.configmaps).toEqual(await servedNames(configmapsOf(namespace)));
  expect(archived.secrets).toEqual(await servedNames(`/api/v1/namespaces/${namespace}/secrets`));
  expect(await keysUnder(folderOf(response.location))).toEqual([`${folderOf(response.location)}manifest.json`, `${folderOf(response.location)}resources.tar.gz`]);
}

/** A backup of the test namespace by the bundled handler, with the API server behind `front`. */
async function backup(env: Record<string, string> = {}, event: Record<string, unknown> = { action: 'backup', includeNamespaces: [ns] }) {
  return invokeBundle<BackupResponse>(event, standIn.delegateEnv(masters, { KUBE_PAGE_SIZE: String(PAGE_SIZE), ...env }));
}

async function withApiFront<T>(rule: FaultRule, fn: (front: Front) => Promise<T>, gate?: TcpGate): Promise<T> {
  const front = await frontApiServer(standIn, rule, gate);
  try {
    return await fn(front);
  } finally {
    await front.close();
  }
}

async function withS3Front<T>(rule: FaultRule, fn: (front: Front) => Promise<T>): Promise<T> {
  const front = await frontS3(standIn, rule);
  try {
    return await fn(front);
  } finally {
    await front.close();
  }
}

/** Answers the first `times` requests matching `match` with `action`, then passes. */
function firstTimes(times: number, match: (req: IncomingMessage) => boolean, action: ReturnType<FaultRule>): FaultRule {
  let n = 0;
  return (req) => (match(req) && n++ < times ? action : undefined);
}

const xmlError = (status: number, code: string) => ({
  kind: 'respond' as const, status, headers: { 'content-type': 'application/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected ${code}</Message><RequestId>fault</RequestId></Error>`,
});
const kubeStatus = (code: number, reason: string, message: string, headers: Record<string, string> = {}) => ({
  kind: 'respond' as const, status: code, headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }),
});

beforeAll(async () => {
  masters = await standIn.issueRoleCredentials(unique('faults-masters'));
  await standIn.setAwsAuth([{ rolearn: masters.roleArn, username: 'delegate', groups: ['system:masters'] }]);
  await standIn.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await Promise.all(Array.from({ length: CONFIGMAPS }, (_, i) => standIn.apply(configmapsOf(ns), {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(3, '0')}`, namespace: ns }, data: { i: String(i) },
  })));
  await Promise.all(SECRET_VALUES.map((value, i) => standIn.apply(`/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: `credentials-${i}`, namespace: ns }, type: 'Opaque', stringData: { value },
  })));
});

afterAll(async () => {
  await standIn.setWebhookClockOffset(0);
  await standIn.setAwsAuth([]);
  s3.destroy();
});

describe('API server faults', () => {
  it('waits out slow answers (every configmaps page delayed 1.5 s) and completes', async () => {
    await withApiFront((req) => (isList(req, configmapsOf(ns)) ? { kind: 'delay', ms: 1500 } : undefined), async (front) => {
      const { response } = await backup();
      expect(front.seen.filter((s) => s.action === 'delay').length).toBe(3);
      await expectEveryObject(response);
    });
  });

  it('retries a 429 after the Retry-After it names', async () => {
    const rule = firstTimes(2, (req) => isList(req, configmapsOf(ns)) && !isContinue(req), kubeStatus(429, 'TooManyRequests', 'slow down', { 'retry-after': '1' }));
    await withApiFront(rule, async (front) => {
      const { response } = await backup();
      await expectEveryObject(response);
      const attempts = front.seen.filter((s) => s.url.startsWith(configmapsOf(ns)) && !/continue=/.test(s.url));
      expect(attempts.map((a) => a.status ?? 200)).toEqual([429, 429, 200]);
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(950);
    });
  });

  it('retries 500 and 503 on a continue page and on discovery', async () => {
    let n = 0;
    let discovery = 0;
    const rule: FaultRule = (req) => {
      if (isList(req, configmapsOf(ns)) && isContinue(req) && n < 2) return kubeStatus(n++ === 0 ? 500 : 503, 'InternalError', 'injected');
      if (req.url === '/apis' && discovery++ === 0) return kubeStatus(503, 'ServiceUnavailable', 'injected');
      return undefined;
    };
    await withApiFront(rule, async (front) => {
      const { response } = await backup();
      await expectEveryObject(response);
      expect(front.seen.filter((s) => s.status !== undefined).map((s) => s.status).sort()).toEqual([500, 503, 503]);
    });
  });

  it('retries a page whose connection is reset mid-body', async () => {
    const rule = firstTimes(1, (req) => isList(req, configmapsOf(ns)) && isContinue(req), { kind: 'truncate', afterBytes: 300 });
    await withApiFront(rule, async (front) => {
      const { response } = await backup();
      await expectEveryObject(response);
      expect(front.seen.filter((s) => s.action === 'truncate')).toHaveLength(1);
    });
  });

  it('asks again for a page that breaks after part of it was archived, and archives each object once', async () => {
    // Pages larger than the scan threshold (64 KiB), so items are archived before the connection breaks.
    const big = unique('faults-big');
    await standIn.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: big } });
    await Promise.all(Array.from({ length: 14 }, (_, i) => standIn.apply(configmapsOf(big), {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `blob-${String(i).padStart(2, '0')}`, namespace: big }, data: { blob: randomBytes(15_000).toString('base64') },
    })));
    const rule = firstTimes(1, (req) => isList(req, configmapsOf(big)) && !isContinue(req), { kind: 'truncate', afterBytes: 150_000 });
    await withApiFront(rule, async (front) => {
      const { response } = await backup({}, { action: 'backup', includeNamespaces: [big] });
      expect(response.status).toBe('COMPLETED');
      // Each of the 14 once: the items archived before the break (page 1 is ~200 KB, cut at 150 KB, scanned
      // every 64 KiB) were skipped when the page came again.
      expect((await archivedNames(response, big)).configmaps).toEqual(await servedNames(configmapsOf(big)));
      expect(await servedNames(configmapsOf(big))).toHaveLength(14);
      expect(front.seen.filter((s) => s.action === 'truncate')).toHaveLength(1);
      expect(front.seen.filter((s) => s.url.startsWith(configmapsOf(big)) && !/continue=/.test(s.url))).toHaveLength(2);
    });
  });

  it('retries a complete-looking 200 whose JSON is cut short, in a list page and in discovery', async () => {
    // The document that lists the core resources is cut: `/api/v1` where discovery is legacy (1.20), `/api`
    // itself where it is aggregated (1.27+: one document per /api and /apis, no group version asked).
    const aggregated = servesAggregatedDiscovery(await standIn.serverVersion());
    const corePath = aggregated ? '/api' : '/api/v1';
    const cutCore = aggregated
      ? '{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},"items":[{"metadata":{},"versions":[{"version":"v1","resources":[{"resource":"pods","respon'
      : '{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularN';
    let page = 0;
    let discovery = 0;
    const truncated = (body: string) => ({ kind: 'respond' as const, status: 200, headers: { 'content-type': 'application/json' }, body });
    const rule: FaultRule = (req) => {
      if (isList(req, configmapsOf(ns)) && !isContinue(req) && page++ === 0) return truncated('{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"continue":"x"},"items":[{"metadata":{"name":"cm-0');
      if (req.url === corePath && discovery++ === 0) return truncated(cutCore);
      return undefined;
    };
    await withApiFront(rule, async (front) => {
      const { response } = await backup();
      await expectEveryObject(response);
      expect({ page, discovery }).toEqual({ page: 2, discovery: 2 });
      // Aggregated: the core resources came from `/api` alone, asked again after the cut answer.
      expect(front.seen.filter((s) => s.url === '/api/v1')).toHaveLength(aggregated ? 0 : 2);
    });
  });

  it('rides out an API server restart mid-backup (connections cut, refused for 2 s)', async () => {
    const gate = new TcpGate();
    let restarting: Promise<void> | undefined;
    const rule: FaultRule = (req) => {
      if (isList(req, configmapsOf(ns)) && isContinue(req) && !restarting) {
        restarting = gate.outage(2000);
        return { kind: 'delay', ms: 200 }; // still in flight when the connections are cut
      }
      return undefined;
    };
    await withApiFront(rule, async (front) => {
      const { response, stderr } = await backup();
      await expectEveryObject(response);
      expect(gate.outages).toBe(1);
      expect(stderr).toMatch(/retrying a Kubernetes API request/); // warnings go to stderr
      expect(front.seen.filter((s) => s.url.startsWith(configmapsOf(ns)) && /continue=/.test(s.url)).length).toBeGreaterThanOrEqual(3);
    }, gate);
  });

  it('restarts a list whose continue token expired (410) and saves each object once', async () => {
    const rule = firstTimes(1, (req) => isList(req, configmapsOf(ns)) && isContinue(req),
      kubeStatus(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.'));
    await withApiFront(rule, async (front) => {
      const { response, stderr } = await backup();
      await expectEveryObject(response);
      const calls = front.seen.filter((s) => s.url.startsWith(configmapsOf(ns)));
      expect(calls.map((c) => (c.status === 410 ? 'expired' : /continue=/.test(c.url) ? 'next' : 'first')))
        .toEqual(['first', 'expired', 'first', 'next', 'next']);
      expect(stderr).toMatch(/list restarted after its continue token expired/);
    });
  });

  it('is PARTIAL, naming configmaps, when the continue token keeps expiring', async () => {
    const rule: FaultRule = (req) => (isList(req, configmapsOf(ns)) && isContinue(req) ? kubeStatus(410, 'Expired', 'too old') : undefined);
    await withApiFront(rule, async () => {
      const { response } = await backup();
      expect(response.status).toBe('PARTIAL');
      expect(response.unreadable).toEqual([{ resource: 'configmaps', reason: 'failed', error: expect.stringMatching(/restarted 3 times/) }]);
      const manifest = parseManifest(await getObjectBytes(s3, bucket, `${folderOf(response.location)}manifest.json`));
      expect(manifest.status).toBe('PARTIAL');
      expect(manifest.resources.find((r) => r.name === 'configmaps')).toMatchObject({ status: 'failed' });
    });
  });

  it('is PARTIAL, naming configmaps, when their list keeps answering 503', async () => {
    const rule: FaultRule = (req) => (isList(req, configmapsOf(ns)) ? kubeStatus(503, 'ServiceUnavailable', 'injected') : undefined);
    await withApiFront(rule, async (front) => {
      const { response } = await backup();
      expect(response.status).toBe('PARTIAL');
      expect(response.unreadable).toEqual([{ resource: 'configmaps', reason: 'failed', error: expect.stringMatching(/HTTP 503/) }]);
      expect(front.seen.filter((s) => s.status === 503)).toHaveLength(6); // the transport's attempts
    });
  });

  it('re-mints its token when the server rejects it as older than 15 minutes, and completes', async () => {
    // The delegate's first token is presented, from 1.5 s into the run, as one signed 16 minutes ago by
    // the same role: the webhook refuses it (401) exactly as it would refuse the token aging out on a
    // long run. A fresh token from the delegate passes untouched.
    const expired = (await mintEksToken({
      clusterName: standIn.conn.clusterName, region: standIn.conn.region, now: new Date(Date.now() - 16 * 60_000),
      credentials: { accessKeyId: masters.accessKeyId, secretAccessKey: masters.secretAccessKey, sessionToken: masters.sessionToken },
    })).token;
    let first: string | undefined;
    let firstAt = 0;
    let rewritten = 0;
    const rule: FaultRule = (req) => {
      const auth = req.headers.authorization;
      if (first === undefined) {
        first = auth;
        firstAt = Date.now();
      }
      if (auth === first && Date.now() - firstAt > 1500) {
        req.headers.authorization = `Bearer ${expired}`;
        rewritten++;
      }
      // Keeps the run going past the 1.5 s mark.
      return isList(req, configmapsOf(ns)) && !isContinue(req) ? { kind: 'delay', ms: 2000 } : undefined;
    };
    await withApiFront(rule, async (front) => {
      const { response } = await backup();
      await expectEveryObject(response);
      expect(rewritten).toBeGreaterThanOrEqual(1);
      expect(new Set(front.seen.map((s) => s.authorization)).size).toBeGreaterThanOrEqual(2);
      expect(await standIn.recentReviews()).toEqual(expect.arrayContaining([{ authenticated: false, reason: expect.stringMatching(/expired/) }]));
    });
  });

  it('a run longer than 15 minutes keeps going on fresh tokens: no token it presents is ever older than 15 minutes', async () => {
    // The delegate runs with its clock 60 times as fast (libfaketime; timers stay real) and so does the
    // webhook's: five configmaps pages of five, each held 4 s, so the backup lasts about 20 minutes as both
    // see it and asks for pages past the first token's 15-minute life. The delegate must re-mint on its own
    // (the API server would still accept the old token from its review cache, so the webhook alone cannot tell).
    const RATE = 60;
    const rule: FaultRule = (req) => (isList(req, configmapsOf(ns)) ? { kind: 'delay', ms: 4000 } : undefined);
    await standIn.setWebhookClockRate(RATE);
    const since = Date.now();
    try {
      await withApiFront(rule, async (front) => {
        const { response } = await backup({
          LD_PRELOAD: provisionedPaths().libfaketime, FAKETIME: `+0 x${RATE}`, DONT_FAKE_MONOTONIC: '1', KUBE_PAGE_SIZE: '5',
          // The Lambda deadline counts in the delegate's (fast) clock: an hour of it is a minute here.
          LAMBDA_TIMEOUT_MS: String(60 * 60_000),
        });
        await expectEveryObject(response);
        expect(response.durationMs).toBeGreaterThan(15 * 60_000);
        const tokens = front.seen.map((s) => ({ at: since + (s.at - since) * RATE, signedAt: tokenSignedAt(s.authorization) }));
        expect(new Set(tokens.map((t) => t.signedAt)).size).toBeGreaterThanOrEqual(2);
        const oldest = Math.max(...tokens.map((t) => t.at - t.signedAt));
        expect(oldest).toBeLessThan(15 * 60_000);
        // No token was refused: the API server itself answered no request with 401.
        expect(front.proxy.log.filter((e) => e.status === 401)).toEqual([]);
      });
    } finally {
      await standIn.setWebhookClockRate(1);
    }
  });

  it('is FAILED with reason unauthorized when every token is refused as expired', async () => {
    await standIn.setWebhookClockOffset(16 * 60_000);
    // Tokens minted in the same second from the same credentials are identical, and the API server caches a
    // successful review for 1 s (--authentication-token-webhook-cache-ttl): let any earlier review expire.
    await new Promise((r) => setTimeout(r, 1500));
    try {
      const { response } = await backup();
      expect({ status: response.status, reason: response.reason }).toEqual({ status: 'FAILED', reason: 'unauthorized' });
      expect(response.error).toMatch(/401/);
      expect(await keysUnder(folderOf(response.location))).toEqual([]);
    } finally {
      await standIn.setWebhookClockOffset(0);
    }
  });
});

describe('a broken aggregated API (APIService whose service is missing)', () => {
  it('is asked at most twice by a backup and by check-access, both of which complete and name the group', async () => {
    const apiService = await standIn.createBrokenApiService();
    const broken = '/apis/metrics.k8s.io/v1beta1';
    const expected = brokenAggregatedApi(await standIn.serverVersion());
    try {
      await withApiFront(() => undefined, async (front) => {
        const { response } = await backup();
        await expectEveryObject(response);
        expect(response.warnings).toEqual(expect.arrayContaining([expected.warning]));
        const backupAsks = front.seen.filter((s) => s.url === broken).length;
        expect(backupAsks).toBeGreaterThanOrEqual(expected.asks.min);
        expect(backupAsks).toBeLessThanOrEqual(expected.asks.max);
        // /apis was asked for aggregated discovery either way; 1.20 answered legacy.
        expect(front.seen.filter((s) => s.url === '/apis').length).toBeGreaterThan(0);

        const { response: access } = await invokeBundle<{ status: string; warnings: string[]; readable: string[] }>({ action: 'check-access' }, standIn.delegateEnv(masters));
        expect(access.status).toBe('ACCESS_OK');
        expect(access.warnings).toEqual(expect.arrayContaining([expected.warning]));
        expect(access.readable).toEqual(expect.arrayContaining(['configmaps', 'secrets']));
        const accessAsks = front.seen.filter((s) => s.url === broken).length - backupAsks;
        expect(accessAsks).toBeGreaterThanOrEqual(expected.asks.min);
        expect(accessAsks).toBeLessThanOrEqual(expected.asks.max);
      });
    } finally {
      await standIn.deleteApiService(apiService);
    }
  });
});

describe('the Lambda deadline', () => {
  it('stops when the remaining time falls under the margin, aborts the upload and answers FAILED deadline', async () => {
    const bigNs = await seedBlobs(16);
    try {
      // Pages of 4 blobs: the fourth page is held back long after part 1 (5 MiB) went out, so the
      // multipart upload is open when the deadline strikes. (Three pages, not two: a seekable archive
      // keeps a type's gzip member, about 1 MiB, in memory until it is full.)
      let continues = 0;
      const rule: FaultRule = (req) => (isList(req, configmapsOf(bigNs)) && isContinue(req) && ++continues === 3
        ? { kind: 'delay', ms: 10_000 } : undefined);
      await withS3Front(() => undefined, async (s3Front) => withApiFront(rule, async () => {
        const started = Date.now();
        const { response } = await backup(
          { KUBE_PAGE_SIZE: '4', LAMBDA_TIMEOUT_MS: '12000', DEADLINE_MARGIN_MS: '7000', AWS_ENDPOINT_URL_S3: s3Front.url },
          { action: 'backup', includeNamespaces: [bigNs] },
        );
        const elapsed = Date.now() - started;
        expect({ status: response.status, reason: response.reason }).toEqual({ status: 'FAILED', reason: 'deadline' });
        expect(elapsed).toBeLessThan(12_000); // answered before the Lambda would have been killed
        expect(s3Front.seen.some((s) => s.method === 'PUT' && /partNumber=1/.test(s.url))).toBe(true);
        expect(s3Front.seen.some((s) => s.method === 'DELETE' && /uploadId=/.test(s.url))).toBe(true);
        expect(await openUploads()).toEqual([]);
        expect(await keysUnder(folderOf(response.location))).toEqual([]);
      }));
    } finally {
      await deleteBlobs(bigNs);
    }
  });
});

describe('security', () => {
  it('never prints a token, credential or Secret value in a full backup at DEBUG with retries and a 401', async () => {
    const seenTokens = new Set<string>();
    let faults = 0;
    const rule: FaultRule = (req) => {
      if (req.headers.authorization) seenTokens.add(req.headers.authorization.replace(/^Bearer /, ''));
      if (isList(req, `/api/v1/secrets`) && faults < 2) {
        return faults++ === 0 ? kubeStatus(401, 'Unauthorized', 'Unauthorized') : kubeStatus(503, 'ServiceUnavailable', 'injected');
      }
      return undefined;
    };
    await withApiFront(rule, async () => {
      const out = await backup({ POWERTOOLS_LOG_LEVEL: 'DEBUG' }, { action: 'backup' });
      expect(out.response.status).toBe('COMPLETED');
      expect(faults).toBe(2);
      // The secrets were really read: the archive holds them (base64, as the API server serves them).
      const entries = await readArchive(await getObjectBytes(s3, bucket, `${folderOf(out.response.location)}resources.tar.gz`));
      const archivedSecret = entries.find((e) => e.path === `resources/secrets/namespaces/${ns}/credentials-0.json`);
      expect(archivedSecret?.body.toString()).toContain(Buffer.from(SECRET_VALUES[0]!).toString('base64'));

      const output = `${out.stdout}\n${out.stderr}`;
      expect(output).toMatch(/recovery point committed/);
      expect(output).toMatch(/retrying a Kubernetes API request/);
      const forbidden = [
        ...SECRET_VALUES, ...SECRET_VALUES.map((v) => Buffer.from(v).toString('base64')),
        masters.secretAccessKey, masters.sessionToken, standIn.conn.adminToken, ...seenTokens,
        'k8s-aws-v1.', 'X-Amz-Signature', 'X-Amz-Security-Token', 'Bearer ',
      ];
      expect(forbidden.filter((f) => output.includes(f))).toEqual([]);
    });
  });

  it('encrypts recovery points with AES256 by default and with the configured KMS key when set', async () => {
    const plain = await backup({}, { action: 'backup', includeNamespaces: [ns], includeResources: ['configmaps'] });
    expect(plain.response.status).toBe('COMPLETED');
    for (const file of ['resources.tar.gz', 'manifest.json']) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${folderOf(plain.response.location)}${file}` }));
      expect({ file, sse: head.ServerSideEncryption }).toEqual({ file, sse: 'AES256' });
    }

    const keyArn = await createKmsKey(standIn, 'eks-delegate recovery points (test)');
    const kms = await backup({ RECOVERY_KMS_KEY_ID: keyArn }, { action: 'backup', includeNamespaces: [ns], includeResources: ['configmaps'] });
    expect(kms.response.status).toBe('COMPLETED');
    for (const file of ['resources.tar.gz', 'manifest.json']) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${folderOf(kms.response.location)}${file}` }));
      expect({ file, sse: head.ServerSideEncryption, key: head.SSEKMSKeyId }).toEqual({ file, sse: 'aws:kms', key: keyArn });
    }
  });
});

describe('S3 faults', () => {
  it('retries throttling and 5xx on parts, on completing the upload and on the manifest, and completes', async () => {
    const bigNs = await seedBlobs(12);
    try {
      const failedOnce = new Set<string>();
      const once = (key: string, action: ReturnType<FaultRule>) => {
        if (failedOnce.has(key)) return undefined;
        failedOnce.add(key);
        return action;
      };
      const rule: FaultRule = (req) => {
        const url = req.url ?? '';
        const part = /[?&]partNumber=(\d+)/.exec(url)?.[1];
        if (req.method === 'PUT' && part) return once(`part-${part}`, part === '1' ? xmlError(503, 'SlowDown') : xmlError(500, 'InternalError'));
        if (req.method === 'POST' && /[?&]uploadId=/.test(url)) return once('complete', xmlError(503, 'ServiceUnavailable'));
        if (req.method === 'PUT' && /manifest\.json/.test(url)) return once('manifest', xmlError(500, 'InternalError'));
        return undefined;
      };
      await withS3Front(rule, async (front) => {
        const { response } = await backup({ AWS_ENDPOINT_URL_S3: front.url }, { action: 'backup', includeNamespaces: [bigNs] });
        expect(front.seen.filter((s) => s.action === 'respond').map((s) => s.status).sort()).toEqual([500, 500, 503, 503]);
        expect({ status: response.status, error: response.error }).toEqual({ status: 'COMPLETED', error: undefined });
        expect((await archivedNames(response, bigNs)).configmaps).toEqual(await servedNames(configmapsOf(bigNs)));
        expect(await openUploads()).toEqual([]);
      });
    } finally {
      await deleteBlobs(bigNs);
    }
  });

  it('is FAILED with no manifest when S3 becomes unreachable as the manifest is written', async () => {
    const rule: FaultRule = (req) => (/manifest\.json/.test(req.url ?? '') && req.method === 'PUT' ? { kind: 'reset' } : undefined);
    await withS3Front(rule, async (front) => {
      const { response } = await backup({ AWS_ENDPOINT_URL_S3: front.url });
      expect({ status: response.status, reason: response.reason }).toEqual({ status: 'FAILED', reason: 'storage' });
      expect(response.error).toMatch(/manifest/);
      expect(front.seen.filter((s) => s.action === 'reset').length).toBeGreaterThanOrEqual(2); // retried first
      const keys = await keysUnder(folderOf(response.location));
      expect(keys).not.toContain(`${folderOf(response.location)}manifest.json`);
      expect(await openUploads()).toEqual([]);
    });
  });
});

/** A namespace of `count` ConfigMaps of ~930 KB random text each: barely compressible, so 8 of them exceed one 5 MiB part. */
async function seedBlobs(count: number): Promise<string> {
  const name = unique('blobs');
  await standIn.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (let i = 0; i < count; i += 4) {
    await Promise.all(Array.from({ length: Math.min(4, count - i) }, (_, j) => standIn.apply(configmapsOf(name), {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `blob-${String(i + j).padStart(2, '0')}`, namespace: name },
      data: { blob: randomBytes(700_000).toString('base64') },
    })));
  }
  return name;
}

/** No controller-manager runs, so deleting a namespace would not delete what is in it. */
async function deleteBlobs(name: string): Promise<void> {
  await standIn.delete(`${configmapsOf(name)}`);
  await standIn.delete(`/api/v1/namespaces/${name}`);
}
