import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { membersInArchiveOrder, membersOfType, parseManifest, type RecoveryPointManifest } from '../../lib/recovery-point';
import { StandInClient, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes } from './archive';
import { frontS3, type Front } from './faultFronts';
import { invokeBundle, unique } from './helpers';
import { mapRestoreDelegates } from './restoreDelegates';

// Seekable recovery points (format 1.2) end to end: a backup by the bundled handler against the stand-in,
// then verify, diff, describe and a restore dry run, each through an http proxy in front of moto S3 that
// records every request's Range header, so the test sees which bytes of the archive each one fetched.
const primary = StandInClient.fromEnv();
const recovery = primary.recovery();
const s3 = primary.s3();
const bucket = primary.conn.bucket;
const cluster = primary.conn.clusterName;
const prefix = `seekable/${unique('run')}/`;
const ns = unique('seek');
const CONFIGMAPS = 60;
let sourceCreds: RoleCredentials;
let recoveryCreds: RoleCredentials;
const ids: string[] = [];
let manifest: RecoveryPointManifest;
let archive: Buffer;

interface ArchiveRequest { method: string; key: string; range: string | undefined }

/** A proxy in front of moto that records each request for an archive, with its Range header. */
async function recordingS3(): Promise<{ front: Front; archiveRequests: ArchiveRequest[] }> {
  const archiveRequests: ArchiveRequest[] = [];
  const front = await frontS3(primary, (req) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    if (path.endsWith('/resources.tar.gz')) {
      const range = req.headers.range;
      archiveRequests.push({ method: req.method ?? '', key: path.replace(`/${bucket}/`, ''), range: typeof range === 'string' ? range : undefined });
    }
    return undefined;
  });
  return { front, archiveRequests };
}

const sourceEnv = (extra: Record<string, string> = {}) => primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'WARN', ...extra });
const archiveKeyOf = (id: string) => `${prefix}${cluster}/${id}/resources.tar.gz`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function backup(): Promise<string> {
  await new Promise((r) => setTimeout(r, 1100)); // ids carry the start second: keep two backups apart
  const out = await invokeBundle<{ status: string; recoveryPointId: string }>({ action: 'backup', includeNamespaces: [ns] }, sourceEnv());
  if (out.response.status !== 'COMPLETED') throw new Error(`backup ${JSON.stringify(out.response)}\n${out.stderr.slice(-2000)}`);
  return out.response.recoveryPointId;
}

beforeAll(async () => {
  ({ sourceCreds, recoveryCreds } = await mapRestoreDelegates(primary, recovery, unique('seekable-source')));
  await primary.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (let i = 0; i < CONFIGMAPS; i++) {
    // ~1 KiB each: past the 32 KiB a type puts in the shared member, so configmaps get a member of their own too.
    await primary.apply(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: ns }, data: { i: String(i), pad: 'v'.repeat(1000) } });
  }
  await primary.apply(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'key', namespace: ns }, type: 'Opaque', data: { k: 'dmFsdWU=' } });
  ids.push(await backup());
  await primary.apply(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-0', namespace: ns }, data: { i: 'changed', pad: 'v'.repeat(1000) } });
  ids.push(await backup());
  manifest = parseManifest(await getObjectBytes(s3, bucket, `${prefix}${cluster}/${ids[1]}/manifest.json`));
  archive = await getObjectBytes(s3, bucket, archiveKeyOf(ids[1]!));
}, 180_000);
afterAll(() => s3.destroy());

describe('a seekable recovery point written by the bundled handler', () => {
  it('has a 1.2.0 manifest whose index tiles the archive, each member\'s SHA-256 right', () => {
    expect(manifest.formatVersion).toBe('1.2.0');
    const index = manifest.index!;
    const withObjects = manifest.resources.filter((r) => r.count > 0).map((r) => r.name).sort();
    expect(index.types.map((t) => t.name).sort()).toEqual(withObjects);
    expect(index.types.find((t) => t.name === 'configmaps')).toMatchObject({ objects: manifest.resources.find((r) => r.name === 'configmaps')!.count });
    // The ConfigMaps outgrew the shared member: some there, the rest in a member of their own.
    expect(membersOfType(index, 'configmaps').map((m) => m.types.size > 1)).toEqual([false, true]);
    const members = membersInArchiveOrder(index);
    let at = 0;
    for (const m of members) {
      expect(m.offset).toBe(at);
      expect(sha256(archive.subarray(m.offset, m.offset + m.length))).toBe(m.sha256);
      at += m.length;
    }
    expect(at).toBe(archive.length);
    expect(sha256(archive)).toBe(manifest.archive.sha256);
  });

  it('is one .tar.gz to GNU tar', () => {
    const listed = spawnSync('/usr/bin/tar', ['-tzf', '-'], { input: archive, maxBuffer: 64 * 1024 * 1024 });
    expect(listed.status).toBe(0);
    const names = listed.stdout.toString('utf8').split('\n').filter((l) => l !== '');
    expect(names[0]).toBe('metadata/version');
    expect(names).toHaveLength(manifest.archive.objects + 1);
    expect(names).toContain(`resources/configmaps/namespaces/${ns}/cm-59.json`);
  });

  it('verify reads it by Range GETs only, one per member, and is VALID', async () => {
    const { front, archiveRequests } = await recordingS3();
    try {
      const v = await invokeBundle<{ status: string; objects: number; problems: string[] }>(
        { action: 'verify-recovery-point', recoveryPointId: ids[1] }, sourceEnv({ AWS_ENDPOINT_URL_S3: front.url }),
      );
      expect(v.response).toMatchObject({ status: 'VALID', objects: manifest.archive.objects, problems: [] });
      const memberCount = membersInArchiveOrder(manifest.index!).length;
      expect(archiveRequests.filter((r) => r.method === 'GET')).toHaveLength(memberCount);
      expect(archiveRequests.every((r) => r.range?.startsWith('bytes='))).toBe(true);
    } finally {
      await front.close();
    }
  });

  it('diff reads both by Range GETs only and finds the one change', async () => {
    const { front, archiveRequests } = await recordingS3();
    try {
      const d = await invokeBundle<{ status: string; changed: Array<{ resource: string; name: string; paths: string[] }>; counts: Record<string, number> }>(
        { action: 'diff-recovery-points', from: ids[0], to: ids[1] }, sourceEnv({ AWS_ENDPOINT_URL_S3: front.url }),
      );
      expect(d.response.counts).toMatchObject({ added: 0, removed: 0, changed: 1 });
      expect(d.response.changed).toEqual([expect.objectContaining({ resource: 'configmaps', name: 'cm-0', paths: ['data.i'] })]);
      expect(archiveRequests.length).toBeGreaterThan(0);
      expect(archiveRequests.every((r) => r.range !== undefined)).toBe(true);
      expect(new Set(archiveRequests.map((r) => r.key))).toEqual(new Set([archiveKeyOf(ids[0]!), archiveKeyOf(ids[1]!)]));
    } finally {
      await front.close();
    }
  });

  it('describe reads no byte of the archive', async () => {
    const { front, archiveRequests } = await recordingS3();
    try {
      const d = await invokeBundle<{ status: string; formatVersion?: string; seekable?: boolean }>(
        { action: 'describe-recovery-point', recoveryPointId: ids[1] }, sourceEnv({ AWS_ENDPOINT_URL_S3: front.url }),
      );
      expect(JSON.stringify(d.response)).toMatch(/"seekable":true/);
      expect(archiveRequests).toEqual([]);
    } finally {
      await front.close();
    }
  });

  it('a restore dry run reads it by Range GETs only: the whole once to verify, then each type it restores', async () => {
    const { front, archiveRequests } = await recordingS3();
    try {
      const out = await invokeBundle<{ status: string; dryRun: boolean; failed: number; created: number }>({
        action: 'restore', translate: 'off', dryRun: true, includeNamespaces: [ns],
        source: { clusterName: cluster, region: primary.conn.region, recoveryPointId: ids[1] },
      }, recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix, AWS_ENDPOINT_URL_S3: front.url }));
      expect(out.response).toMatchObject({ status: 'COMPLETED', dryRun: true, failed: 0 });
      const gets = archiveRequests.filter((r) => r.method === 'GET');
      expect(gets.every((r) => r.range !== undefined)).toBe(true);
      // The verifying read of every member, then each restored type's members again (the shared member
      // kept in memory between the small types): no member more than twice, never the archive whole.
      const rangeOf = (m: { offset: number; length: number }) => `bytes=${m.offset}-${m.offset + m.length - 1}`;
      const perRange = new Map<string, number>();
      for (const g of gets) perRange.set(g.range!, (perRange.get(g.range!) ?? 0) + 1);
      for (const m of membersInArchiveOrder(manifest.index!)) expect(perRange.get(rangeOf(m))).toBeGreaterThanOrEqual(1);
      expect(Math.max(...perRange.values())).toBeLessThanOrEqual(2);
      for (const m of membersOfType(manifest.index!, 'configmaps')) expect(perRange.get(rangeOf(m))).toBe(2);
    } finally {
      await front.close();
    }
  });
});
