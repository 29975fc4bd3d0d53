// Seeding straight into etcd, for the one-off large run (issue 16 item 4): through the API server a
// million objects take hours on a shared two-core machine, most of it admission, conversion and the
// watch fan-out. The objects are the seed's own (objectAt), with what the API server would add on
// create (uid, creationTimestamp, managedFields, a namespace's finalizer and phase), stored as JSON under
// the API server's keys; kube-apiserver reads JSON from etcd as well as protobuf. Whether it then serves
// them is not assumed: the bench counts them through the API before it measures anything.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { BenchApiError, BenchError } from './errors';
import { objectAt, type SeedProgress } from './seedCluster';

export interface EtcdSeedOptions {
  /** etcd's client URL (http). */
  etcdUrl: string;
  /**
   * Transactions in flight.
   * @default 64
   */
  concurrency?: number;
  /** Told every few thousand objects. @default undefined */
  onProgress?: (p: SeedProgress) => void;
}

/** The API server's etcd key for an object created by POST to `collection` (kube-apiserver 1.20, prefix /registry). */
export function etcdKey(collection: string, name: string): string {
  const m = /^\/apis?\/(?:([^/]+)\/)?v1(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(collection);
  if (!m) throw new BenchError(`no etcd key for collection ${collection}`);
  const [, group, namespace, plural] = m;
  // Built-in groups are stored under the plural alone; custom resources under <group>/<plural>; services under services/specs.
  const resource = plural === 'services' ? 'services/specs' : group && group.includes('.') ? `${group}/${plural}` : plural!;
  return namespace ? `/registry/${resource}/${namespace}/${name}` : `/registry/${resource}/${name}`;
}

/** What the API server adds to an object on create. */
export function asStored(body: Record<string, unknown>, createdAt: string): Record<string, unknown> {
  const metadata = body.metadata as Record<string, unknown>;
  const { apiVersion, kind, metadata: _, ...content } = body;
  const stored: Record<string, unknown> = {
    ...body,
    metadata: {
      ...metadata, uid: randomUUID(), creationTimestamp: createdAt,
      managedFields: [{
        manager: 'bench-seed', operation: 'Update', apiVersion, time: createdAt, fieldsType: 'FieldsV1',
        fieldsV1: { ...fieldsOf({ metadata: { labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} } }), ...fieldsOf(content) },
      }],
    },
  };
  if (kind === 'Namespace') Object.assign(stored, { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  return stored;
}

/** A FieldsV1 set naming every field of `value`, as server-side apply's managedFields do. */
function fieldsOf(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [`f:${k}`, fieldsOf(v)]));
}

/** Puts per transaction: under etcd's default --max-txn-ops (128) and, at ~4 KiB an object, its 1.5 MiB request limit. */
const PUTS_PER_TXN = 100;

/**
 * Puts objects [from, to) into etcd, PUTS_PER_TXN to a transaction, transactions concurrently, over
 * etcd's v3 JSON gateway with keep-alive.
 */
export async function seedObjectsViaEtcd(from: number, to: number, options: EtcdSeedOptions): Promise<void> {
  const concurrency = options.concurrency ?? 64;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const createdAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  let next = from;
  let done = 0;
  let reported = 0;
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.ceil((to - from) / PUTS_PER_TXN)) }, async () => {
      while (next < to) {
        const batch = Array.from({ length: Math.min(PUTS_PER_TXN, to - next) }, () => objectAt(next++));
        await txn(options.etcdUrl, agent, batch.map((spec) => ({
          key: etcdKey(spec.collection, (spec.body.metadata as { name: string }).name),
          value: JSON.stringify(asStored(spec.body, createdAt)),
        })));
        done += batch.length;
        if (options.onProgress && done - reported >= 20_000) {
          reported = done;
          options.onProgress({ done, total: to - from });
        }
      }
    }));
  } finally {
    agent.destroy();
  }
}

function txn(etcdUrl: string, agent: Agent, puts: Array<{ key: string; value: string }>): Promise<void> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const payload = JSON.stringify({ success: puts.map((p) => ({ requestPut: { key: b64(p.key), value: b64(p.value) } })) });
  const key = puts[0]?.key ?? '';
  return new Promise((resolve, reject) => {
    const req = request(new URL('/v3/kv/txn', etcdUrl), {
      method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new BenchApiError('POST', `/v3/kv/txn (etcd, from ${key})`, res.statusCode, Buffer.concat(chunks).toString('utf8').slice(0, 300)))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
