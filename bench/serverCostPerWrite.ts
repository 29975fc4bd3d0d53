// Whether the API server works more for the delegate's writes than for the bench's bare client's: the same
// config maps POSTed, 8 in flight, into fresh namespaces of one recovery cluster (pinned as the bench pins it:
// CpuPin, the stand-in and its webhook on core 0, the writing clients on core 1), by four clients in turn, twice, the order reversed the second time: the bare keep-alive
// client with the static admin token (the durable restore bench's baseline), and the delegate's KubeClient with
// its EKS token (reviewed by the webhook, cached 2 min), with the admin token, and without `fieldManager`.
// Prints each run's wall time and the API server's and etcd's CPU per write (clusterCpu).
//   npx tsx bench/serverCostPerWrite.ts [objects per run, default 6000]
import { cpus } from 'node:os';
import { clusterCpu, cpuBetween } from './clusterCpu';
import { CpuPin, cpuLayout } from './CpuPin';
import { StandIn } from '../tests/standin/StandIn';
import { StandInClient } from '../tests/standin/StandInClient';
import { mintEksToken } from '../lib/eks';
import { KubeClient } from '../lib/kube/KubeClient';
import { FIELD_MANAGER } from '../lib/restore/TargetApi';
import { ApiConnection } from './ApiConnection';

const N = Number(process.argv[2] ?? 6000);
async function main() {
  const standIn = new StandIn({ tokenReviewCacheTtl: '2m', recoveryCluster: true });
  const conn = await standIn.start();
  try {
    const pin = new CpuPin(cpuLayout(cpus().length), () => standIn.pids);
    pin.pinned();
    const rec = new StandInClient(conn).recovery();
    const creds = await rec.issueRoleCredentials(`ArpioPrimaryK8sDel-${rec.conn.account}-${rec.conn.region}`);
    const { token } = await mintEksToken({ clusterName: rec.conn.clusterName, region: rec.conn.region, credentials: creds });
    const admin = new ApiConnection({ apiServerUrl: rec.conn.apiServerUrl, caPem: rec.conn.caPem, token: rec.conn.adminToken, maxSockets: 8 });
    const variants: Record<string, (path: string, body: unknown) => Promise<void>> = {};
    const kube = (tok: string, query: Record<string, string>) => {
      const k = new KubeClient({ endpoint: rec.conn.apiServerUrl, caPem: rec.conn.caPem, tokens: { getToken: () => Promise.resolve(tok), invalidate: () => undefined }, maxSockets: 8 });
      return async (path: string, body: unknown) => { const r = await k.request({ method: 'POST', path, body, query }); if (r.status !== 201) throw new Error(String(r.status)); };
    };
    variants.bare = (p, b) => admin.create(p, b);
    variants.kubeDelegate = kube(token, { fieldManager: FIELD_MANAGER });
    variants.kubeAdmin = kube(rec.conn.adminToken, { fieldManager: FIELD_MANAGER });
    variants.kubeDelegateNoFm = kube(token, {});
    let run = 0;
    for (const round of [1, 2]) {
      const names = Object.keys(variants);
      for (const who of round % 2 ? names : names.reverse()) {
        const ns = `server-cost-${run++}`;
        await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
        const bodies = Array.from({ length: N }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: ns, labels: { app: 'x' } }, data: { a: 'x'.repeat(600), b: String(i) } }));
        let next = 0;
        const c0 = clusterCpu(standIn.pids);
        const t0 = performance.now();
        await pin.onUnderTestCore(true, () => Promise.all(Array.from({ length: 8 }, async () => {
          while (next < N) await variants[who]!(`/api/v1/namespaces/${ns}/configmaps`, bodies[next++]);
        })));
        const ms = performance.now() - t0;
        const cpu = cpuBetween(c0, clusterCpu(standIn.pids));
        const per = ((cpu['kube-apiserver'] ?? 0) + (cpu.etcd ?? 0)) / N;
        console.log(`${who} r${round}: ${Math.round(ms)} ms, server ${per.toFixed(3)} ms/write`, JSON.stringify(cpu));
      }
    }
  } finally {
    await standIn.stop();
  }
}
void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
