import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { applyRetention } from '../../lib/catalog';
import { parseManifest, type RecoveryPointManifest } from '../../lib/recovery-point';
import { StandInClient, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes } from './archive';
import { CLI, invokeBundle, run, unique } from './helpers';

// The catalog against the real stand-in: three backups by the bundled handler with known changes between
// them, then list, diff, verify (also of tampered copies), retention and the CLI.
const standIn = StandInClient.fromEnv();
const s3 = standIn.s3();
const bucket = standIn.conn.bucket;
const cluster = standIn.conn.clusterName;
const ns = unique('catalog');
const oldTeam = unique('old-team');
const prefix = `catalog/${unique('run')}/`;
/** The escape character that starts an ANSI colour sequence. */
const ESC = String.fromCharCode(27);
/** Cluster folder of the tampered copies. */
const TAMPERED = 'tampered';
const CANARY = 'CANARY-secret-value-4b1d';
let creds: RoleCredentials;
let env: Record<string, string>;

interface BackupResponse { status: string; recoveryPointId: string; objects: number; bytes: number; retention?: { deleted: string[]; incompleteDeleted: string[]; kept: number } }
type Ref = { resource: string; namespace?: string; name: string };
interface DiffResponse { status: string; from: string; to: string; added: Ref[]; removed: Ref[]; changed: Array<Ref & { paths: string[] }>; counts: Record<string, number> }

const backups: BackupResponse[] = [];

async function backup(extraEnv: Record<string, string> = {}): Promise<BackupResponse> {
  // Ids carry the start second: keep two backups a second apart so their order is their time order.
  await new Promise((r) => setTimeout(r, 1100));
  const out = await invokeBundle<BackupResponse>({ action: 'backup', excludeResources: ['events', 'events.events.k8s.io'] }, { ...env, ...extraEnv });
  if (out.response.status !== 'COMPLETED') throw new Error(`backup ${out.response.status}: ${JSON.stringify(out.response)}\n${out.stderr.slice(-2000)}`);
  return out.response;
}

const invoke = async <R>(event: Record<string, unknown>, extraEnv: Record<string, string> = {}) => (await invokeBundle<R>(event, { ...env, ...extraEnv })).response;

const configMap = (color: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { color, size: 'L' } });
const deployment = (replicas: number) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns },
  spec: {
    replicas, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
  },
});

beforeAll(async () => {
  creds = await standIn.issueRoleCredentials(unique('catalog-delegate'));
  await standIn.setAwsAuth([{ rolearn: creds.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
  env = standIn.delegateEnv(creds, { RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'WARN', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  for (const name of [ns, oldTeam]) await standIn.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await standIn.apply(`/api/v1/namespaces/${ns}/configmaps`, configMap('blue'));
  await standIn.apply(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment(1));
  backups.push(await backup());

  // 1 -> 2: a ConfigMap edited, a Deployment scaled.
  await standIn.apply(`/api/v1/namespaces/${ns}/configmaps`, configMap('green'));
  await standIn.apply(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment(3));
  backups.push(await backup());

  // 2 -> 3: a Secret added, a namespace removed (no controller-manager runs: finalize it as its controller would).
  await standIn.apply(`/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'new-key', namespace: ns }, type: 'Opaque', data: { password: Buffer.from(CANARY).toString('base64') },
  });
  await standIn.kube('DELETE', `/api/v1/namespaces/${oldTeam}`);
  await standIn.kube('PUT', `/api/v1/namespaces/${oldTeam}/finalize`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: oldTeam }, spec: { finalizers: [] } });
  const deadline = Date.now() + 20_000;
  while ((await standIn.kube('GET', `/api/v1/namespaces/${oldTeam}`)).status !== 404) {
    if (Date.now() > deadline) throw new Error(`namespace ${oldTeam} was not removed`);
    await new Promise((r) => setTimeout(r, 200));
  }
  backups.push(await backup());
}, 180_000);

afterAll(async () => {
  await standIn.kube('DELETE', `/api/v1/namespaces/${ns}`);
  await standIn.setAwsAuth([]);
  s3.destroy();
});

describe('list-recovery-points', () => {
  it('lists the three backups newest first with the counts their backups reported', async () => {
    const r = await invoke<{ status: string; recoveryPoints: Array<{ recoveryPointId: string; status: string; objects: number; bytes: number }>; incomplete: unknown[] }>({ action: 'list-recovery-points' });
    expect(r.status).toBe('OK');
    expect(r.recoveryPoints.map((p) => [p.recoveryPointId, p.status, p.objects, p.bytes])).toEqual(
      [...backups].reverse().map((b) => [b.recoveryPointId, 'COMPLETED', b.objects, b.bytes]),
    );
    expect(r.incomplete).toEqual([]);
    expect(backups[2]!.objects).toBe(backups[0]!.objects); // one Secret in, one Namespace out
  });
});

describe('diff-recovery-points', () => {
  const cm = { resource: 'configmaps', namespace: ns, name: 'settings', paths: ['data.color'] };
  const deploy = { resource: 'deployments.apps', namespace: ns, name: 'web', paths: ['spec.replicas'] };
  const secret = { resource: 'secrets', namespace: ns, name: 'new-key' };
  const namespace = { resource: 'namespaces', name: oldTeam };

  it('reports exactly the four changes between the first and the third, and nothing else', async () => {
    const d = await invoke<DiffResponse>({ action: 'diff-recovery-points', from: backups[0]!.recoveryPointId, to: backups[2]!.recoveryPointId });
    expect(d).toMatchObject({ status: 'OK', from: backups[0]!.recoveryPointId, to: backups[2]!.recoveryPointId });
    expect({ added: d.added, removed: d.removed, changed: d.changed }).toEqual({ added: [secret], removed: [namespace], changed: [cm, deploy] });
  });

  it('defaults to the newest and the one before it', async () => {
    const d = await invoke<DiffResponse>({ action: 'diff-recovery-points' });
    expect(d).toMatchObject({ from: backups[1]!.recoveryPointId, to: backups[2]!.recoveryPointId, added: [secret], removed: [namespace], changed: [] });
    const first = await invoke<DiffResponse>({ action: 'diff-recovery-points', to: backups[1]!.recoveryPointId });
    expect(first).toMatchObject({ from: backups[0]!.recoveryPointId, added: [], removed: [], changed: [cm, deploy] });
  });

  it('never shows the Secret\'s value, in the response or in the CLI\'s --json and table', async () => {
    const b64 = Buffer.from(CANARY).toString('base64');
    const d = JSON.stringify(await invoke({ action: 'diff-recovery-points', from: backups[0]!.recoveryPointId }));
    const json = await run(process.execPath, [CLI, 'diff', backups[0]!.recoveryPointId, '--json'], env);
    const tableOut = await run(process.execPath, [CLI, 'diff', backups[0]!.recoveryPointId], env);
    for (const text of [d, json.stdout, json.stderr, tableOut.stdout, tableOut.stderr]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(b64);
    }
    expect(tableOut.stdout).toContain(`+ ${ns}/new-key`);
  });
});

describe('verify-recovery-point', () => {
  it.each([0, 1, 2])('passes on backup %i', async (i) => {
    const v = await invoke<{ status: string; objects: number; problems: string[] }>({ action: 'verify-recovery-point', recoveryPointId: backups[i]!.recoveryPointId });
    expect(v).toMatchObject({ status: 'VALID', objects: backups[i]!.objects, problems: [] });
  });

  /** Copies backup 0 to a new id, changing its archive and manifest, and verifies the copy. */
  async function verifyCopy(name: string, edit: { archive?: (gz: Buffer) => Promise<Buffer> | Buffer; manifest?: (m: RecoveryPointManifest, gz: Buffer) => void }) {
    const id = `${backups[0]!.recoveryPointId}-${name}`;
    const from = `${prefix}${cluster}/${backups[0]!.recoveryPointId}/`;
    // Under a cluster folder of their own, so the copies never show in the real cluster's list.
    const to = `${prefix}${TAMPERED}/${id}/`;
    const original = await getObjectBytes(s3, bucket, `${from}resources.tar.gz`);
    const gz = edit.archive ? await edit.archive(original) : original;
    const manifest = parseManifest(await getObjectBytes(s3, bucket, `${from}manifest.json`));
    manifest.recoveryPointId = id;
    manifest.archive.key = `${to}resources.tar.gz`;
    edit.manifest?.(manifest, gz);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${to}resources.tar.gz`, Body: gz }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${to}manifest.json`, Body: JSON.stringify(manifest) }));
    const v = await invoke<{ status: string; problems: string[] }>({ action: 'verify-recovery-point', clusterName: TAMPERED, recoveryPointId: id });
    const cli = await run(process.execPath, [CLI, 'verify', id, '--cluster-name', TAMPERED], env);
    return { v, cli };
  }

  it('fails a copy with one flipped byte, naming the digest', async () => {
    const { v, cli } = await verifyCopy('flipped', { archive: (gz) => flip(gz, Math.floor(gz.length / 2)) });
    expect(v.status).toBe('INVALID');
    expect(v.problems.join('\n')).toMatch(/SHA-256|cannot be read/);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('INVALID');
  });

  it('fails a copy whose gzip header time was flipped (readable, only the SHA-256 can tell)', async () => {
    const { v } = await verifyCopy('mtime', { archive: (gz) => flip(gz, 5) });
    // Byte 5 is in the first gzip member (the head, format 1.2): its own SHA-256 in the index tells too.
    expect(v).toMatchObject({
      status: 'INVALID',
      problems: [expect.stringMatching(/^metadata member at bytes 0-\d+: SHA-256 [0-9a-f]{64} differs from the index's/), expect.stringMatching(/^archive SHA-256 [0-9a-f]{64} differs from the manifest's/)],
    });
  });

  it('fails a truncated archive', async () => {
    const { v } = await verifyCopy('truncated', { archive: (gz) => gz.subarray(0, gz.length - 100) });
    expect(v.status).toBe('INVALID');
    expect(v.problems.join('\n')).toMatch(/cannot be read|unexpected end/);
  });

  it('fails a manifest whose object count is off', async () => {
    const { v } = await verifyCopy('count', { manifest: (m) => void (m.archive.objects += 1) });
    expect(v).toMatchObject({ status: 'INVALID', problems: [`archive holds ${backups[0]!.objects} objects, the manifest says ${backups[0]!.objects + 1}`] });
  });

  it('fails an archive with a ../ entry (consistent digest and counts otherwise)', async () => {
    const { v } = await verifyCopy('escape', {
      archive: (gz) => withExtraEntry(gz, 'resources/configmaps/namespaces/../../../../tmp/evil.json', '{}'),
      manifest: (m, gz) => {
        m.archive.bytes = gz.length;
        m.archive.sha256 = createHash('sha256').update(gz).digest('hex');
        // Re-packed as one gzip stream: the index no longer describes it, so it goes (read as one stream).
        delete m.index;
      },
    });
    expect(v.status).toBe('INVALID');
    expect(v.problems.join('\n')).toMatch(/evil\.json.*'\.\.' segment/);
  });
});

describe('retention', () => {
  it('with keep-last 2, two remain after the fourth backup; a young incomplete folder stays, one older than a day goes', async () => {
    const rPrefix = `retention/${unique('run')}/`;
    const rEnv = { RECOVERY_PREFIX: rPrefix, RETENTION_KEEP_LAST: '2' };
    const young = `${rPrefix}${cluster}/20200101T000000Z-0000/resources.tar.gz`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: young, Body: 'an archive whose backup never committed' }));
    const made: BackupResponse[] = [];
    for (let i = 0; i < 4; i++) made.push(await backup(rEnv));
    expect(made[3]!.retention).toEqual({ deleted: [made[1]!.recoveryPointId], incompleteDeleted: [], kept: 2 });
    const folders = async () => {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${rPrefix}${cluster}/`, Delimiter: '/' }));
      return (out.CommonPrefixes ?? []).map((p) => p.Prefix!.split('/').at(-2)).sort();
    };
    expect(await folders()).toEqual(['20200101T000000Z-0000', made[2]!.recoveryPointId, made[3]!.recoveryPointId]);

    // moto stamps every object "now": the day is passed to retention as its clock, against the real bucket.
    const later = new Date(Date.now() + 25 * 60 * 60 * 1000);
    const result = await applyRetention({ s3, bucket, prefix: rPrefix, clusterName: cluster }, { keepLast: 2 }, later);
    expect(result).toEqual({ deleted: [], incompleteDeleted: ['20200101T000000Z-0000'], kept: 2, protected: [] });
    expect(await folders()).toEqual([made[2]!.recoveryPointId, made[3]!.recoveryPointId]);
  }, 180_000);
});

describe('the CLI', () => {
  it('prints a table that fits 80 columns, --json that parses, and no colour off a TTY', async () => {
    const t = await run(process.execPath, [CLI, 'list'], env);
    expect(t.code).toBe(0);
    const lines = t.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+STARTED\s+TOOK\s+OBJECTS\s+SIZE\s+SCOPE$/);
    expect(lines.slice(1, 4).map((l) => l.split(/\s+/)[0])).toEqual([...backups].reverse().map((b) => b.recoveryPointId));
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(t.stdout).not.toContain(`${ESC}[`);
    const j = await run(process.execPath, [CLI, 'list', '--json'], env);
    expect(JSON.parse(j.stdout)).toMatchObject({ action: 'list-recovery-points', status: 'OK' });
    for (const cmd of [['describe', '--json'], ['verify', '--json'], ['diff', '--json']]) {
      const out = await run(process.execPath, [CLI, ...cmd], env);
      expect({ cmd, code: out.code }).toEqual({ cmd, code: 0 });
      expect(() => JSON.parse(out.stdout) as unknown).not.toThrow();
    }
    const usage = await run(process.execPath, [CLI, 'describe', '../etc'], env);
    expect(usage.code).toBe(64);
  });

  it('colours statuses on a TTY, never with NO_COLOR, and draws progress on stderr only on a TTY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-tty-'));
    const tty = (command: string, extra: Record<string, string> = {}) => run('script', ['-qefc', command, '/dev/null'], { ...env, ...extra });
    const coloured = await tty(`${process.execPath} ${CLI} list`);
    expect(coloured.stdout).toContain(`${ESC}[32mCOMPLETED`);
    const plain = await tty(`${process.execPath} ${CLI} list`, { NO_COLOR: '1' });
    expect(plain.stdout).toContain('COMPLETED');
    expect(plain.stdout).not.toContain(`${ESC}[3`);

    // stdout to a file, stderr on the pty: the progress line is on the terminal, never in the result.
    const file = join(dir, 'verify.json');
    const onTty = await tty(`${process.execPath} ${CLI} verify ${backups[0]!.recoveryPointId} --json > ${file}`);
    expect(onTty.stdout).toMatch(/verify: [\d.]+ (B|KB|MB) read/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ status: 'VALID' });
    const piped = await run(process.execPath, [CLI, 'verify', backups[0]!.recoveryPointId], env);
    expect(piped.stderr).not.toMatch(/read/);
    expect(piped.stdout).not.toMatch(/verify: /);
  });
});

function flip(buf: Buffer, at: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}

/** The archive re-packed with one more entry at the end. */
async function withExtraEntry(gz: Buffer, path: string, body: string): Promise<Buffer> {
  const entries: Array<{ name: string; body: Buffer }> = [];
  const ex = tarExtract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) if (c instanceof Uint8Array) chunks.push(Buffer.from(c));
      entries.push({ name: entry.header.name, body: Buffer.concat(chunks) });
    }
  })();
  ex.end(gunzipSync(gz));
  await done;
  const p = tarPack();
  const out: Buffer[] = [];
  const packed = new Promise<void>((resolve) => {
    p.on('data', (c: unknown) => {
      if (c instanceof Uint8Array) out.push(Buffer.from(c));
    });
    p.on('end', () => resolve());
  });
  for (const e of [...entries, { name: path, body: Buffer.from(body) }]) p.entry({ name: e.name, size: e.body.length }, e.body);
  p.finalize();
  await packed;
  return gzipSync(Buffer.concat(out));
}

