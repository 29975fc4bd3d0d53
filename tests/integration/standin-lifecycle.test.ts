import { existsSync } from 'node:fs';
import { StandIn } from '../standin/StandIn';
import { StandInClient } from '../standin/StandInClient';

// The stand-in itself: a second one starts beside the shared one on its own free ports, serves, and
// stops leaving no process and no files behind.
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
