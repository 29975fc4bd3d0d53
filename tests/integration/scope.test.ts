import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { StandInClient } from '../standin/StandInClient';
import { invokeBundle, unique } from './helpers';

// Scope against the real stand-in (DESIGN.md section 9 "Scope", issue 27, docs/scope.md): a typo in a filter
// is refused with nothing written; a namespace-filtered backup is never `latest`; keep-last never deletes
// the newest whole-cluster recovery point to keep filtered ones.
const standIn = StandInClient.fromEnv();
const s3 = standIn.s3();
const bucket = standIn.conn.bucket;
const cluster = standIn.conn.clusterName;
const ns = unique('scope');
const prefix = `scope/${unique('run')}/`;
let env: Record<string, string>;

interface Scope { wholeCluster: boolean; includeNamespaces: string[]; excludeNamespaces: string[]; includeResources: string[]; excludeResources: string[] }
interface BackupResponse {
  status: string; reason?: string; problems?: string[]; recoveryPointId: string; objects: number; warnings: string[]; scope: Scope;
  retention?: { deleted: string[]; incompleteDeleted: string[]; kept: number };
}
interface RestoreResponse { status: string; dryRun: boolean; failed: number; source: { recoveryPointId: string } }
interface ListResponse { recoveryPoints: Array<{ recoveryPointId: string; scope: { wholeCluster: boolean; recorded: boolean; filters: Partial<Scope> } }> }

const invoke = async <R>(event: Record<string, unknown>, extraEnv: Record<string, string> = {}) => (await invokeBundle<R>(event, { ...env, ...extraEnv })).response;

async function backup(event: Record<string, unknown>, extraEnv: Record<string, string> = {}): Promise<BackupResponse> {
  // Ids carry the start second: keep backups a second apart so their order is their time order.
  await new Promise((r) => setTimeout(r, 1100));
  const response = await invoke<BackupResponse>({ action: 'backup', ...event }, extraEnv);
  if (response.status !== 'COMPLETED') throw new Error(`backup ${response.status}: ${JSON.stringify(response)}`);
  return response;
}

/** Every key and multipart upload under this file's prefix. */
async function written(): Promise<{ keys: string[]; uploads: string[] }> {
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return { keys: (objects.Contents ?? []).map((o) => o.Key ?? ''), uploads: (uploads.Uploads ?? []).map((u) => u.Key ?? '') };
}

/** A dry run of a restore of `ns` into the cluster it came from: which recovery point did it read? */
async function dryRunSource(recoveryPointId: string): Promise<string> {
  const response = await invoke<RestoreResponse>({
    action: 'restore', dryRun: true, translate: 'off', includeNamespaces: [ns], source: { recoveryPointId },
  });
  expect(response).toMatchObject({ status: 'COMPLETED', dryRun: true, failed: 0 });
  return response.source.recoveryPointId;
}

let whole: BackupResponse;
let filtered: BackupResponse;

beforeAll(async () => {
  const creds = await standIn.issueRoleCredentials(unique('scope-delegate'));
  await standIn.setAwsAuth([{ rolearn: creds.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
  env = standIn.delegateEnv(creds, { RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'WARN' });
  await standIn.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await standIn.apply(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { color: 'blue' } });
}, 60_000);
afterAll(async () => {
  await standIn.setAwsAuth([]);
  s3.destroy();
});

describe('a filter naming what the cluster does not have', () => {
  it('refuses includeResources ["deploymentz"] with the suggestion, and writes nothing to the bucket', async () => {
    const response = await invoke<BackupResponse>({ action: 'backup', includeResources: ['deploymentz'] });
    expect(response).toMatchObject({ status: 'FAILED', reason: 'invalid-input' });
    expect(response.problems).toEqual([`includeResources: "deploymentz" is not a resource type cluster ${cluster} serves and can list; did you mean deployments.apps?`]);
    expect(await written()).toEqual({ keys: [], uploads: [] });
  });

  it('names every unknown name at once: a namespace typo too, with the namespace it resembles', async () => {
    const response = await invoke<BackupResponse>({ action: 'backup', includeNamespaces: [`${ns}x`], includeResources: ['configmaps', 'deploymentz'] });
    expect(response).toMatchObject({ status: 'FAILED', reason: 'invalid-input' });
    expect(response.problems).toEqual([
      expect.stringMatching(/^includeResources: "deploymentz" .* did you mean deployments\.apps\?$/),
      `includeNamespaces: namespace "${ns}x" does not exist in cluster ${cluster}; did you mean ${ns}?`,
    ]);
    expect(await written()).toEqual({ keys: [], uploads: [] });
  });

  it('only warns about an exclude that names nothing: the backup holds more than asked, never less', async () => {
    const response = await backup({ includeNamespaces: [ns], excludeResources: ['secretz'] });
    expect(response.warnings).toContain(`excludeResources: "secretz" is not a resource type cluster ${cluster} serves: it excludes nothing; did you mean secrets?`);
    expect(response.scope).toEqual({ wholeCluster: false, includeNamespaces: [ns], excludeNamespaces: [], includeResources: [], excludeResources: ['secretz'] });
  }, 60_000);
});

describe('a namespace-filtered backup', () => {
  beforeAll(async () => {
    whole = await backup({});
    filtered = await backup({ includeNamespaces: [ns] });
  }, 120_000);

  it('records its filters; the whole-cluster one, with events left out by default, is whole-cluster', () => {
    expect(whole.scope).toEqual({ wholeCluster: true, includeNamespaces: [], excludeNamespaces: [], includeResources: [], excludeResources: ['events', 'events.events.k8s.io'] });
    expect(filtered.scope).toMatchObject({ wholeCluster: false, includeNamespaces: [ns] });
  });

  it('is listed as filtered, with its filters', async () => {
    const list = await invoke<ListResponse>({ action: 'list-recovery-points' });
    const byId = new Map(list.recoveryPoints.map((p) => [p.recoveryPointId, p.scope]));
    expect(byId.get(whole.recoveryPointId)).toMatchObject({ wholeCluster: true, recorded: true });
    expect(byId.get(filtered.recoveryPointId)).toEqual({
      wholeCluster: false, recorded: true, filters: { includeNamespaces: [ns], excludeResources: ['events', 'events.events.k8s.io'] },
    });
  });

  it('is never latest: a dry-run restore of latest reads the whole-cluster one; latest-any opts in', async () => {
    expect(await dryRunSource('latest')).toBe(whole.recoveryPointId);
    expect(await dryRunSource('latest-any')).toBe(filtered.recoveryPointId);
    const described = await invoke<{ recoveryPointId: string; scope: { wholeCluster: boolean } }>({ action: 'describe-recovery-point' });
    expect(described).toMatchObject({ recoveryPointId: whole.recoveryPointId, scope: { wholeCluster: true } });
  }, 120_000);

  it('with RETENTION_KEEP_LAST=1, another filtered backup never deletes the newest whole-cluster recovery point', async () => {
    const next = await backup({ includeNamespaces: [ns] }, { RETENTION_KEEP_LAST: '1' });
    expect(next.retention?.deleted).toContain(filtered.recoveryPointId);
    expect(next.retention?.deleted).not.toContain(whole.recoveryPointId);
    const list = await invoke<ListResponse>({ action: 'list-recovery-points' });
    expect(list.recoveryPoints.map((p) => p.recoveryPointId)).toEqual([next.recoveryPointId, whole.recoveryPointId]);
    expect(await dryRunSource('latest')).toBe(whole.recoveryPointId);
  }, 120_000);
});
