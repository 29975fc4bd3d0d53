// A child process of bench/profileRestore.ts: the restore's POST floor. A plain keep-alive https client
// (ApiConnection, as the restore bench's baseline) POSTs already-prepared objects, types in restore order,
// `concurrency` in flight, over the same TLS to the same API server; its own CPU is measured around the
// writes only (reading the job is not counted). Prints one JSON line: PostFloorResult.
import { readFileSync } from 'node:fs';
import { KubeClient } from '../lib/kube/KubeClient';
import { ApiConnection } from './ApiConnection';

export interface PostFloorJob {
  apiServerUrl: string;
  caPem: string;
  token: string;
  concurrency: number;
  /** JSON lines, one `{"collection": "...", "body": {...}}` per object, each type's objects together, types in restore order. */
  objectsFile: string;
  /**
   * `plain`: the bench's lean client (ApiConnection); `kube`: the delegate's own KubeClient with a fixed
   * token and the restore's query (`fieldManager`), to tell the client's cost from the rest of the delegate.
   * @default 'plain'
   */
  client?: 'plain' | 'kube';
}

export interface PostFloorResult {
  objects: number;
  ms: number;
  /** user + system CPU of this process during the writes. */
  cpuMs: number;
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
  const api = job.client === 'kube' ? kubeWriter(job) : new ApiConnection({ apiServerUrl: job.apiServerUrl, caPem: job.caPem, token: job.token, maxSockets: job.concurrency });
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
  const result: PostFloorResult = { objects: items.length, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** KubeClient behind ApiConnection's two methods used here; any answer but 201/409 fails the run. */
function kubeWriter(job: PostFloorJob): Pick<ApiConnection, 'create' | 'destroy'> {
  const kube = new KubeClient({ endpoint: job.apiServerUrl, caPem: job.caPem, tokens: { getToken: () => Promise.resolve(job.token), invalidate: () => undefined }, maxSockets: job.concurrency });
  return {
    async create(collection: string, body: unknown): Promise<void> {
      const res = await kube.request({ method: 'POST', path: collection, body, query: { fieldManager: 'eks-delegate' } });
      if (res.status !== 201 && res.status !== 409) throw new Error(`POST ${collection}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
    },
    destroy: () => kube.destroy(),
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
