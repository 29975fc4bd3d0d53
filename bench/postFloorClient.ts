// A child process of bench/profileRestore.ts: the restore's POST floor. A plain keep-alive https client
// (ApiConnection, as the restore bench's baseline) POSTs already-prepared objects, types in restore order,
// `concurrency` in flight, over the same TLS to the same API server; its own CPU is measured around the
// writes only (reading the job is not counted). Prints one JSON line: PostFloorResult.
import { readFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { KubeClient } from '../lib/kube/KubeClient';
import { ApiConnection } from './ApiConnection';

export type FloorClientKind = 'plain' | 'kube' | 'kube-meta' | 'h2';

/** Accept header of `kube-meta`: the API server answers a write with the object's metadata only. */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

export interface PostFloorJob {
  apiServerUrl: string;
  caPem: string;
  token: string;
  concurrency: number;
  /** JSON lines, one `{"collection": "...", "body": {...}}` per object, each type's objects together, types in restore order. */
  objectsFile: string;
  /**
   * `plain`: the bench's lean client (ApiConnection); `kube`: the delegate's own KubeClient with a fixed
   * token and the restore's query (`fieldManager`), to tell the client's cost from the rest of the delegate;
   * `kube-meta`: KubeClient asking for the created object's metadata only (PartialObjectMetadata), to
   * measure what reading back the whole created object costs; `h2`: one HTTP/2 connection (node:http2),
   * the writes as streams on it, to measure what HTTP/1.1's request per socket costs.
   * @default 'plain'
   */
  client?: FloorClientKind;
}

export interface PostFloorResult {
  objects: number;
  ms: number;
  /** user + system CPU of this process during the writes. */
  cpuMs: number;
  userMs: number;
  systemMs: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as PostFloorJob;
  const items = readFileSync(job.objectsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { collection: string; body: unknown });
  // Runs of one collection's type: written concurrently within, one after another between (as restore does).
  const groups: Array<typeof items> = [];
  for (const item of items) {
    const last = groups.at(-1);
    const type = (i: { collection: string }) => i.collection.replace(/\/namespaces\/[^/]+\//, '/namespaces/*/');
    if (last && type(last[0]!) === type(item)) last.push(item);
    else groups.push([item]);
  }
  const api = job.client === 'h2' ? await http2Writer(job) : job.client === 'kube' || job.client === 'kube-meta' ? kubeWriter(job, job.client === 'kube-meta') : new ApiConnection({ apiServerUrl: job.apiServerUrl, caPem: job.caPem, token: job.token, maxSockets: job.concurrency });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    for (const list of groups) {
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(job.concurrency, list.length) }, async () => {
        while (next < list.length) {
          const item = list[next++]!;
          await api.create(item.collection, item.body);
        }
      }));
    }
  } finally {
    api.destroy();
  }
  const cpu = process.cpuUsage(cpu0);
  const result: PostFloorResult = { objects: items.length, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, userMs: cpu.user / 1000, systemMs: cpu.system / 1000 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** KubeClient behind ApiConnection's two methods used here; any answer but 201/409 fails the run. */
function kubeWriter(job: PostFloorJob, metadataOnly: boolean): Pick<ApiConnection, 'create' | 'destroy'> {
  const kube = new KubeClient({ endpoint: job.apiServerUrl, caPem: job.caPem, tokens: { getToken: () => Promise.resolve(job.token), invalidate: () => undefined }, maxSockets: job.concurrency });
  return {
    async create(collection: string, body: unknown): Promise<void> {
      const res = await kube.request({ method: 'POST', path: collection, body, query: { fieldManager: 'eks-delegate' }, ...(metadataOnly ? { accept: METADATA_ONLY } : {}) });
      if (res.status !== 201 && res.status !== 409) throw new Error(`POST ${collection}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
    },
    destroy: () => kube.destroy(),
  };
}

/** One HTTP/2 session; each write a stream whose answer is read whole (as ApiConnection reads it). */
async function http2Writer(job: PostFloorJob): Promise<Pick<ApiConnection, 'create' | 'destroy'>> {
  const session = connect(job.apiServerUrl, { ca: job.caPem });
  await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject));
  return {
    create(collection: string, body: unknown): Promise<void> {
      const payload = Buffer.from(JSON.stringify(body));
      return new Promise((resolve, reject) => {
        const stream = session.request({
          ':method': 'POST', ':path': collection, authorization: `Bearer ${job.token}`, accept: 'application/json',
          'content-type': 'application/json', 'content-length': payload.length,
        });
        let status = 0;
        const chunks: Buffer[] = [];
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          const text = Buffer.concat(chunks);
          if (status === 201 || status === 409) resolve();
          else reject(new Error(`POST ${collection}: HTTP ${status} ${text.toString('utf8').slice(0, 300)}`));
        });
        stream.end(payload);
      });
    },
    destroy: () => session.close(),
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
