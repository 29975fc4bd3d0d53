import { StandInClient, type KubeObject, type RoleCredentials } from '../standin/StandInClient';
import { CLI, invokeBundle, run, unique } from './helpers';

// drift by the bundled handler, on the primary cluster: its live objects against a recovery point taken
// before some were created, changed and deleted.
const primary = StandInClient.fromEnv();
const ns = unique('drift');
const prefix = `drift/${unique('run')}/`;
const OLD_VALUE = 'drift-canary-old-6f1c9a';
const NEW_VALUE = 'drift-canary-new-0d2b7e';
let creds: RoleCredentials;
let recoveryPointId: string;

interface Ref { resource: string; namespace?: string; name: string; paths?: string[] }
interface DriftResponse {
  status: string; recoveryPointId: string; added: Ref[]; removed: Ref[]; changed: Ref[];
  counts: { added: number; removed: number; changed: number }; notCompared: Array<{ resource: string }>;
}

const env = () => primary.delegateEnv(creds, { RECOVERY_PREFIX: prefix });
const cm = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const inNs = (refs: Ref[]) => refs.filter((r) => r.namespace === ns || (r.resource === 'namespaces' && r.name === ns));

beforeAll(async () => {
  creds = await primary.issueRoleCredentials(unique('drift-delegate'));
  await primary.setAwsAuth([{ rolearn: creds.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
  await primary.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const cms = `/api/v1/namespaces/${ns}/configmaps`;
  await primary.apply(cms, cm('kept', { a: '1' }));
  await primary.apply(cms, cm('edited', { replicas: '2', colour: 'blue' }));
  await primary.apply(cms, cm('deleted', { a: '1' }));
  await primary.apply(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns }, type: 'Opaque', data: { password: b64(OLD_VALUE), user: b64('app') } });
  const { response } = await invokeBundle<{ status: string; recoveryPointId: string }>({ action: 'backup' }, env());
  expect(response.status).toMatch(/COMPLETED|PARTIAL/);
  recoveryPointId = response.recoveryPointId;

  // Since the backup: one created, one changed, one deleted, and a Secret's value changed.
  await primary.apply(cms, cm('created', { a: '1' }));
  await primary.apply(cms, cm('edited', { replicas: '3', colour: 'blue' }));
  await primary.delete(`${cms}/deleted`);
  await primary.apply(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns }, type: 'Opaque', data: { password: b64(NEW_VALUE), user: b64('app') } });
}, 120_000);

describe('drift', () => {
  it('names exactly the objects created, changed and deleted since the recovery point, and a Secret\'s keys only', async () => {
    const { response, stdout, stderr } = await invokeBundle<DriftResponse>({ action: 'drift', recoveryPointId }, env());
    expect(response).toMatchObject({ status: 'OK', recoveryPointId });
    expect(inNs(response.added)).toEqual([{ resource: 'configmaps', namespace: ns, name: 'created' }]);
    expect(inNs(response.removed)).toEqual([{ resource: 'configmaps', namespace: ns, name: 'deleted' }]);
    expect(inNs(response.changed)).toEqual([
      { resource: 'configmaps', namespace: ns, name: 'edited', paths: ['data.replicas'] },
      { resource: 'secrets', namespace: ns, name: 'db', paths: ['data.password'] },
    ]);
    for (const text of [JSON.stringify(response), stdout, stderr]) {
      for (const value of [OLD_VALUE, NEW_VALUE, b64(OLD_VALUE), b64(NEW_VALUE)]) expect(text).not.toContain(value);
    }
  });

  it('prints the same in the CLI, never a Secret\'s value', async () => {
    const out = await run(process.execPath, [CLI, 'drift', recoveryPointId], env());
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`+ configmaps ${ns}/created`);
    expect(out.stdout).toContain(`- configmaps ${ns}/deleted`);
    expect(out.stdout).toContain(`~ secrets ${ns}/db  data.password`);
    for (const value of [OLD_VALUE, NEW_VALUE, b64(OLD_VALUE), b64(NEW_VALUE)]) expect(out.stdout + out.stderr).not.toContain(value);
  });
});
