import { existsSync } from 'node:fs';
import { StandIn } from '../standin/StandIn';
import { StandInClient } from '../standin/StandInClient';

// The stand-in itself: a second one starts beside the shared one on its own free ports (with or without
// its recovery cluster), serves, and stops leaving no process and no files behind.
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('starts on free ports, serves, and stops leaving no processes or files behind', async () => {
  const shared = StandInClient.fromEnv().conn;
  const standIn = new StandIn({ verbose: false, clusterName: 'lifecycle' });
  const conn = await standIn.start();
  const pids = standIn.pids;
  const dir = standIn.logDir;
  try {
    expect(pids).toHaveLength(3);
    expect(pids.every(alive)).toBe(true);
    expect(conn.apiServerUrl).not.toBe(shared.apiServerUrl);
    expect(conn.motoUrl).not.toBe(shared.motoUrl);
    expect(conn.recovery).toBeUndefined();
    const c = new StandInClient(conn);
    expect((await c.kube('GET', '/readyz')).status).toBe(200);
    expect((await fetch(`${conn.controlUrl}/clusters/lifecycle`).then((r) => r.json())) as unknown).toMatchObject({ cluster: { status: 'ACTIVE', endpoint: conn.apiServerUrl } });
  } finally {
    await standIn.stop();
  }
  expect(pids.filter(alive)).toEqual([]);
  expect(existsSync(dir)).toBe(false);
  await expect(fetch(`${conn.controlUrl}/clusters/lifecycle`)).rejects.toThrow();
}, 120_000);

it('starts a recovery cluster beside the primary, and stops both leaving no processes or files behind', async () => {
  const standIn = new StandIn({ verbose: false, clusterName: 'lifecycle', recoveryCluster: { clusterName: 'lifecycle-dr' } });
  const conn = await standIn.start();
  const recovery = conn.recovery!;
  const pids = standIn.pids;
  const dir = standIn.logDir;
  try {
    // moto, and etcd + kube-apiserver for each cluster.
    expect(pids).toHaveLength(5);
    expect(pids.every(alive)).toBe(true);
    expect(recovery).toMatchObject({ clusterName: 'lifecycle-dr', region: 'us-west-2', account: '444455556666', motoUrl: conn.motoUrl });
    for (const c of [conn, recovery]) {
      expect((await new StandInClient(c).kube('GET', '/readyz')).status).toBe(200);
      expect((await fetch(`${c.controlUrl}/clusters/${c.clusterName}`).then((r) => r.json())) as unknown).toMatchObject({
        cluster: { status: 'ACTIVE', endpoint: c.apiServerUrl, arn: `arn:aws:eks:${c.region}:${c.account}:cluster/${c.clusterName}` },
      });
    }
  } finally {
    await standIn.stop();
  }
  expect(pids.filter(alive)).toEqual([]);
  expect(existsSync(dir)).toBe(false);
  await expect(fetch(`${recovery.controlUrl}/clusters/lifecycle-dr`)).rejects.toThrow();
  await expect(fetch(`${conn.controlUrl}/clusters/lifecycle`)).rejects.toThrow();
}, 120_000);

it('stops one cluster leaving S3 serving, and resets the other to an empty cluster its delegate can still write to', async () => {
  const standIn = new StandIn({ verbose: false, clusterName: 'lifecycle', recoveryCluster: { clusterName: 'lifecycle-dr' } });
  const conn = await standIn.start();
  const recovery = new StandInClient(conn.recovery!);
  try {
    const before = standIn.pids;
    await recovery.kube('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'left-over' } });
    expect((await recovery.kube('GET', '/api/v1/namespaces/default/configmaps/left-over')).status).toBe(200);

    await standIn.stopCluster('primary');
    // moto and the recovery cluster's etcd and kube-apiserver.
    expect(standIn.pids).toHaveLength(3);
    expect(before.filter(alive)).toHaveLength(3);
    await expect(new StandInClient(conn).kube('GET', '/readyz')).rejects.toThrow();
    await new StandInClient(conn).createBucket('lifecycle-after-stop');

    await standIn.resetCluster('recovery');
    expect((await recovery.kube('GET', '/readyz')).status).toBe(200);
    expect((await recovery.kube('GET', '/api/v1/namespaces/default/configmaps/left-over')).status).toBe(404);
    // The start-up's RBAC and aws-auth again: the recovery delegate's role is mapped, and the cluster takes writes.
    const awsAuth = await recovery.kube('GET', '/api/v1/namespaces/kube-system/configmaps/aws-auth');
    expect(awsAuth.json<{ data: { mapRoles: string } }>().data.mapRoles).toContain(recovery.conn.delegateRoleName!);
    expect((await recovery.kube('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/eks-standin:view')).status).toBe(200);
    expect((await recovery.kube('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-reset' } })).status).toBe(201);
  } finally {
    await standIn.stop();
  }
}, 120_000);
