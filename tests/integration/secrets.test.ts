import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parseManifest } from '../../lib/recovery-point';
import { StandInClient, type KubeObject, type MapRoleEntry, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes, readArchive } from './archive';
import { CLI, invokeBundle, run, unique, type Invocation } from './helpers';
import { createKmsKey } from './kms';
import { mapRestoreDelegates } from './restoreDelegates';

// Secrets envelope encryption (README "Secrets") against the real stand-in: backups by the bundled handler
// with SECRETS_KMS_KEY_ID (moto's KMS), then verify, describe, diff and restore into the recovery cluster,
// and every way out (logs at DEBUG, responses, CLI tables and --json, the restore report in S3, error
// messages) searched for the Secret values and for tokens.
const primary = StandInClient.fromEnv();
const recovery = primary.recovery();
const s3 = primary.s3();
const bucket = primary.conn.bucket;
const prefix = `secrets/${unique('run')}/`;
const ns = unique('sealed');
const CANARY = `canary-${randomBytes(8).toString('hex')}`;
const ROTATED = `rotated-${randomBytes(8).toString('hex')}`;
const BINARY = randomBytes(64).toString('base64');
let keyArn: string;
let sourceCreds: RoleCredentials;
let recoveryCreds: RoleCredentials;
const ids: string[] = [];
const outputs: Array<{ what: string; text: string }> = [];

interface Response { status: string; reason?: string; error?: string; [field: string]: unknown }

const secret = (password: string) => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns, labels: { app: 'orders' } }, type: 'Opaque',
  stringData: { password }, data: { 'blob.bin': BINARY },
});
const masters = (creds: RoleCredentials): MapRoleEntry => ({ rolearn: creds.roleArn, username: 'eks-delegate', groups: ['system:masters'] });
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Never to be seen outside the archive (and there only sealed). */
const forbidden = () => [
  CANARY, b64(CANARY), ROTATED, b64(ROTATED), BINARY, 'k8s-aws-v1.', 'X-Amz-Signature', 'Bearer ',
  sourceCreds.secretAccessKey, sourceCreds.sessionToken, recoveryCreds.secretAccessKey, recoveryCreds.sessionToken,
];
const leaks = (text: string) => forbidden().filter((f) => text.includes(f));

const sourceEnv = (extra: Record<string, string> = {}) => primary.delegateEnv(sourceCreds, {
  RECOVERY_PREFIX: prefix, SECRETS_KMS_KEY_ID: keyArn, POWERTOOLS_LOG_LEVEL: 'DEBUG', ...extra,
});
/** A catalog or CLI environment that reads the primary cluster's recovery points. */
const catalogEnv = (creds: RoleCredentials) => primary.delegateEnv(creds, { RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'DEBUG' });

/** Invokes the bundle and keeps everything it printed and answered for the leak search. */
async function invoke<R extends Response>(what: string, event: Record<string, unknown>, env: Record<string, string>): Promise<Invocation<R>> {
  const out = await invokeBundle<R>(event, env);
  outputs.push({ what, text: `${out.stdout}\n${out.stderr}\n${JSON.stringify(out.response)}` });
  return out;
}

async function cli(what: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const out = await run(process.execPath, [CLI, ...args], env);
  outputs.push({ what, text: `${out.stdout}\n${out.stderr}` });
  return out;
}

async function backup(): Promise<string> {
  // Ids carry the start second: keep backups a second apart so their order is their time order.
  await new Promise((r) => setTimeout(r, 1100));
  const { response } = await invoke<Response & { recoveryPointId: string }>('backup', { action: 'backup', includeNamespaces: [ns] }, sourceEnv());
  if (response.status !== 'COMPLETED') throw new Error(`backup ${response.status}: ${JSON.stringify(response)}`);
  return response.recoveryPointId;
}

const folderOf = (id: string) => `${prefix}${primary.conn.clusterName}/${id}/`;

function restoreEvent(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: 'restore', clusterName: recovery.conn.clusterName, translate: 'off', includeNamespaces: [ns],
    includeResources: ['namespaces', 'secrets', 'configmaps'],
    source: { bucket, region: primary.conn.region, prefix, clusterName: primary.conn.clusterName, recoveryPointId: id },
    ...extra,
  };
}

beforeAll(async () => {
  ({ sourceCreds, recoveryCreds } = await mapRestoreDelegates(primary, recovery, unique('secrets-source')));
  // The primary account's delegate may also write to the recovery cluster (a role of another account mapped
  // in aws-auth, as EKS allows): it can use the key, the recovery account's delegate cannot.
  await recovery.setAwsAuth([masters(recoveryCreds), masters(sourceCreds)]);
  keyArn = await createKmsKey(primary, 'eks-delegate Secrets (test)');
  await primary.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await primary.apply(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { color: 'blue' } });
  await primary.apply(`/api/v1/namespaces/${ns}/secrets`, secret(CANARY));
  ids.push(await backup());
  await primary.apply(`/api/v1/namespaces/${ns}/secrets`, secret(ROTATED));
  ids.push(await backup());
}, 120_000);
afterAll(() => s3.destroy());

describe('a backup with SECRETS_KMS_KEY_ID', () => {
  it('holds no Secret value in the archive, plain or base64, while the rest of the Secret stays readable', async () => {
    for (const id of ids) {
      const gz = await getObjectBytes(s3, bucket, `${folderOf(id)}resources.tar.gz`);
      const tar = gunzipSync(gz).toString('latin1');
      expect(tar).toContain(`"namespace":"${ns}"`);
      expect(leaks(tar)).toEqual([]);
      const entry = (await readArchive(gz)).find((e) => e.path === `resources/secrets/namespaces/${ns}/db.json`);
      const stored = JSON.parse(entry!.body.toString('utf8')) as KubeObject & { data: Record<string, string> };
      expect(stored).toMatchObject({ kind: 'Secret', type: 'Opaque', metadata: { name: 'db', namespace: ns, labels: { app: 'orders' } } });
      expect(Object.keys(stored.data).sort()).toEqual(['blob.bin', 'password']);
      for (const v of Object.values(stored.data)) expect(v).toMatch(/^enc:v1:[A-Za-z0-9+/]+=*$/);
      // ConfigMaps are stored as served.
      expect(tar).toContain('"color":"blue"');
    }
  });

  it('names the key in the manifest, with KMS\'s encrypted copy of the data key', async () => {
    const manifest = parseManifest(await getObjectBytes(s3, bucket, `${folderOf(ids[0]!)}manifest.json`));
    expect(manifest.formatVersion).toBe('1.2.0'); // secrets since 1.1.0; 1.2.0 (seekable) is what a backup writes now
    expect(manifest.secrets).toEqual({
      encryption: 'kms-envelope-aes-256-gcm', valueFormat: 'enc:v1:', kmsKeyId: keyArn,
      encryptedDataKey: expect.stringMatching(/^[A-Za-z0-9+/]{40,}=*$/),
      encryptionContext: { 'eks-delegate:recovery-point': `${primary.conn.clusterName}/${ids[0]}` },
    });
    const other = parseManifest(await getObjectBytes(s3, bucket, `${folderOf(ids[1]!)}manifest.json`));
    expect(other.secrets?.encryptedDataKey).not.toBe(manifest.secrets?.encryptedDataKey);
  });
});

describe('a backup whose Secrets key cannot be used', () => {
  it('fails fast as bad input naming the key and KMS\'s code, and writes nothing', async () => {
    const missing = keyArn.replace(/key\/.*$/, 'key/00000000-0000-0000-0000-000000000000');
    const id = `20261130T000000Z-${randomBytes(2).toString('hex')}`;
    const { response } = await invoke<Response & { problems: string[] }>('backup (missing key)', { action: 'backup', includeNamespaces: [ns], recoveryPointId: id }, sourceEnv({ SECRETS_KMS_KEY_ID: missing }));
    expect(response).toMatchObject({ status: 'FAILED', reason: 'invalid-input' });
    expect(response.problems).toEqual([expect.stringMatching(new RegExp(`${missing}.*NotFoundException`))]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folderOf(id) }));
    expect(listed.KeyCount ?? 0).toBe(0);
  });
});

describe('a backup whose filters leave Secrets out', () => {
  it('asks KMS for no data key: the same unusable key does not stop it, and the manifest names no key', async () => {
    const missing = keyArn.replace(/key\/.*$/, 'key/00000000-0000-0000-0000-000000000000');
    const id = `20261130T000001Z-${randomBytes(2).toString('hex')}`;
    const { response } = await invoke<Response>('backup (secrets excluded, missing key)', {
      action: 'backup', includeNamespaces: [ns], excludeResources: ['secrets'], recoveryPointId: id,
    }, sourceEnv({ SECRETS_KMS_KEY_ID: missing }));
    expect(response).toMatchObject({ status: 'COMPLETED' });
    const manifest = parseManifest(await getObjectBytes(s3, bucket, `${folderOf(id)}manifest.json`));
    expect(manifest.secrets).toBeUndefined();
    expect(manifest.resources.find((r) => r.name === 'secrets')?.status).toBe('excluded');
  });
});

describe('reading it back', () => {
  it('verify passes; describe and verify, as responses and the CLI\'s --json, name the key and no value', async () => {
    const env = catalogEnv(sourceCreds);
    const verify = await invoke<Response & { problems: string[] }>('verify', { action: 'verify-recovery-point', recoveryPointId: ids[1] }, env);
    expect(verify.response).toMatchObject({ status: 'VALID', problems: [], objects: expect.any(Number) });
    const describe = await invoke<Response>('describe', { action: 'describe-recovery-point', recoveryPointId: ids[1] }, env);
    expect(describe.response.secretsEncryption).toEqual({ encryption: 'kms-envelope-aes-256-gcm', kmsKeyId: keyArn });
    for (const cmd of [['verify', ids[1]!, '--json'], ['describe', ids[1]!, '--json'], ['verify', ids[1]!]]) {
      const out = await cli(cmd.join(' '), cmd, env);
      expect({ cmd, code: out.code }).toEqual({ cmd, code: 0 });
    }
  });

  it('diff shows the changed Secret by the key that changed, never its value (response, CLI table and --json)', async () => {
    const env = catalogEnv(sourceCreds);
    const { response } = await invoke<Response & { changed: Array<{ resource: string; namespace?: string; name: string; paths: string[] }> }>(
      'diff', { action: 'diff-recovery-points', from: ids[0], to: ids[1] }, env,
    );
    expect(response.status).toBe('OK');
    // stringData is merged into data by the API server: the rotated password is data.password.
    expect(response.changed).toEqual([{ resource: 'secrets', namespace: ns, name: 'db', paths: ['data.password'] }]);
    const table = await cli('diff', ['diff', ids[0]!, ids[1]!], env);
    const json = await cli('diff --json', ['diff', ids[0]!, ids[1]!, '--json'], env);
    expect(table.stdout).toContain(`${ns}/db`);
    expect(table.stdout).toContain('data.password');
    expect(JSON.parse(json.stdout)).toMatchObject({ changed: [{ name: 'db', paths: ['data.password'] }] });
  });
});

describe('restore into the recovery cluster', () => {
  it('fails naming the key, KMS\'s code and why, before anything is written, for a delegate the key does not admit', async () => {
    const env = recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    const before = await recovery.snapshot();
    const { response } = await invoke<Response>('restore (no key access)', restoreEvent(ids[1]!), env);
    expect(response).toMatchObject({
      status: 'FAILED', reason: 'secrets-key',
      secretsKey: { kmsKeyId: keyArn, reason: 'access-denied', kmsCode: 'AccessDeniedException' },
    });
    expect(response.error).toContain(keyArn);
    expect(await recovery.snapshot()).toEqual(before);
    // verify (from the recovery account) says the same.
    const verify = await invoke<Response & { problems: string[] }>('verify (no key access)', {
      action: 'verify-recovery-point', bucket, prefix, clusterName: primary.conn.clusterName, region: primary.conn.region, recoveryPointId: ids[1],
    }, env);
    expect(verify.response.status).toBe('INVALID');
    expect(verify.response.problems).toEqual([expect.stringContaining(keyArn)]);
    expect(verify.response.problems[0]).toContain('AccessDeniedException');
    // and diff does not compare what it cannot open.
    const diff = await invoke<Response>('diff (no key access)', {
      action: 'diff-recovery-points', bucket, prefix, clusterName: primary.conn.clusterName, from: ids[0], to: ids[1],
    }, env);
    expect(diff.response).toMatchObject({ status: 'FAILED', reason: 'secrets-key', secretsKey: { kmsKeyId: keyArn, kmsCode: 'AccessDeniedException' } });
  });

  it('brings each Secret back with its exact value, the report in S3 holding none', async () => {
    const env = recovery.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    const { response } = await invoke<Response & { report: string; failed: number }>('restore', restoreEvent(ids[1]!), env);
    expect(response).toMatchObject({ status: 'COMPLETED', failed: 0 });
    const restored = (await recovery.kube('GET', `/api/v1/namespaces/${ns}/secrets/db`)).json<KubeObject & { data: Record<string, string> }>();
    expect(restored.data).toEqual({ password: b64(ROTATED), 'blob.bin': BINARY });
    expect(restored.data).toEqual((await primary.kube('GET', `/api/v1/namespaces/${ns}/secrets/db`)).json<{ data: unknown }>().data);
    const report = new URL(response.report);
    const text = (await getObjectBytes(s3, report.host, report.pathname.slice(1))).toString('utf8');
    expect(text).toContain('"name":"db"');
    outputs.push({ what: 'restore report', text });
  });
});

describe('no Secret value leaves through a side door', () => {
  it('none of the logs at DEBUG, responses, error messages, CLI output or the restore report holds a value or a token', () => {
    expect(outputs.map((o) => o.what)).toEqual(expect.arrayContaining([
      'backup', 'backup (missing key)', 'verify', 'describe', 'diff', 'diff --json', 'restore', 'restore report',
      'restore (no key access)', 'verify (no key access)', 'diff (no key access)',
    ]));
    // The logs were at DEBUG: the searched text is the whole of what was said.
    expect(outputs.find((o) => o.what === 'backup')?.text).toMatch(/"level":"DEBUG"/);
    expect(outputs.map((o) => ({ what: o.what, leaks: leaks(o.text) })).filter((o) => o.leaks.length > 0)).toEqual([]);
  });
});
