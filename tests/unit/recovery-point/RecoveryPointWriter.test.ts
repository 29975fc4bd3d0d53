import 'aws-sdk-client-mock-jest';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  ManifestError,
  MANIFEST_FORMAT_VERSION,
  RecoveryPointAbortedError,
  RecoveryPointExistsError,
  RecoveryPointPathError,
  RecoveryPointStateError,
  RecoveryPointWriteError,
  RecoveryPointWriter,
  parseManifest,
  readArchiveEntries,
  recoveryPointFolder,
  type ArchiveSummary,
  type RecoveryPointManifest,
} from '../../../lib/recovery-point';
import { fakeS3, type FakeS3 } from './fakeS3';
import { listWithSystemTar, readWithSystemTar, untarGzip } from './untar';

const MiB = 1024 * 1024;
const BUCKET = 'recovery-bucket';
const ID = '20261123T200501Z-7f3a';
const FOLDER = recoveryPointFolder('eks/', 'prod', ID);
const ARCHIVE_KEY = `${FOLDER}resources.tar.gz`;
const MANIFEST_KEY = `${FOLDER}manifest.json`;
const ENTRY_TIME = new Date('2026-11-23T20:05:01Z');

function open(s3: FakeS3, extra: Partial<Parameters<typeof RecoveryPointWriter.create>[0]> = {}) {
  return RecoveryPointWriter.create({ s3: s3.client, bucket: BUCKET, folder: FOLDER, entryTime: ENTRY_TIME, ...extra });
}

function manifestFor(summary: ArchiveSummary): RecoveryPointManifest {
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    recoveryPointId: ID,
    cluster: {
      name: 'prod',
      arn: 'arn:aws:eks:us-east-1:123456789012:cluster/prod',
      region: 'us-east-1',
      account: '123456789012',
      kubernetesVersion: '1.31',
      platformVersion: 'eks.12',
      authenticationMode: 'API_AND_CONFIG_MAP',
    },
    startedAt: '2026-11-23T20:05:01.000Z',
    completedAt: '2026-11-23T20:05:09.000Z',
    status: 'COMPLETED',
    archive: { key: summary.key, bytes: summary.bytes, sha256: summary.sha256, objects: summary.objects },
    resources: [
      { name: 'configmaps', group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, count: 2, status: 'ok' },
    ],
    warnings: [],
    awsDependencies: [],
  };
}

/** A ConfigMap whose data is random (so gzip cannot shrink it much): ~`size` bytes of JSON. */
function randomConfigMap(name: string, size: number): string {
  const blob = randomBytes(Math.floor((size * 3) / 4)).toString('base64');
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bulk' }, data: { blob } });
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function storedArchive(s3: FakeS3): Buffer {
  const archive = s3.objects.get(ARCHIVE_KEY);
  if (archive === undefined) throw new Error('no archive was stored');
  return archive;
}

function commandsSent(s3: FakeS3): string[] {
  return s3.mock.calls().map((call) => call.args[0].constructor.name);
}

describe('RecoveryPointWriter', () => {
  describe('round trip', () => {
    const longName = `cert-${'x'.repeat(220)}`; // 225 characters: no ustar name/prefix split can hold it
    const longGroup = `widgets.${'sub.'.repeat(20)}example.com`; // path > 100 characters, every segment < 100
    const objects: [string, string | undefined, string, string][] = [
      ['configmaps', 'default', 'app-config', '{"apiVersion":"v1","kind":"ConfigMap","data":{"k":"v"}}'],
      ['clusterroles.rbac.authorization.k8s.io', undefined, 'system:controller:job', '{"kind":"ClusterRole","x":"ünïcödé ✓"}'],
      ['secrets', 'kube-system', longName, '{"kind":"Secret","metadata":{"annotations":{"a":"1"}}}'],
      [longGroup, 'team-a', 'w1', '{"kind":"Widget"}'],
    ];

    async function writeAll(s3: FakeS3): Promise<ArchiveSummary> {
      const writer = await open(s3);
      for (const [resource, namespace, name, json] of objects) await writer.addObject(resource, namespace, name, json);
      const summary = await writer.finish();
      await writer.writeManifest(manifestFor(summary));
      return summary;
    }

    it('writes metadata/version first, then every object at its Velero path, byte for byte', async () => {
      const s3 = fakeS3();
      const summary = await writeAll(s3);
      const entries = await untarGzip(storedArchive(s3));

      expect(entries.map((entry) => entry.name)).toEqual([
        'metadata/version',
        'resources/configmaps/namespaces/default/app-config.json',
        'resources/clusterroles.rbac.authorization.k8s.io/cluster/system:controller:job.json',
        `resources/secrets/namespaces/kube-system/${longName}.json`,
        `resources/${longGroup}/namespaces/team-a/w1.json`,
      ]);
      expect(entries[0]?.body.toString('utf8')).toBe('1.1.0\n');
      objects.forEach(([, , , json], index) => expect(entries[index + 1]?.body.toString('utf8')).toBe(json));
      for (const entry of entries) {
        expect(entry.type).toBe('file');
        expect(entry.mode).toBe(0o644);
        expect(entry.mtime.toISOString()).toBe(ENTRY_TIME.toISOString());
      }
      // The index (one gzip member per type) is checked in seekable.test.ts.
      expect(summary).toEqual({
        key: ARCHIVE_KEY, bytes: storedArchive(s3).length, sha256: sha256(storedArchive(s3)), objects: 4, entries: 5, index: expect.any(Object),
      });
    });

    it('stores a name that no ustar header can hold in a PAX header that GNU tar reads', async () => {
      const s3 = fakeS3();
      await writeAll(s3);
      const archive = storedArchive(s3);
      const longPath = `resources/secrets/namespaces/kube-system/${longName}.json`;

      expect(longPath.length).toBeGreaterThan(200);
      expect(gunzipSync(archive).toString('latin1')).toContain(` path=${longPath}\n`); // a PAX record
      const listed = listWithSystemTar(archive);
      expect(listed).toContain(longPath);
      expect(listed).toContain(`resources/${longGroup}/namespaces/team-a/w1.json`);
      expect(readWithSystemTar(archive, longPath).toString('utf8')).toBe(objects[2]?.[3]);
    });

    it('reads back with readArchiveEntries as the same objects', async () => {
      const s3 = fakeS3();
      await writeAll(s3);
      const read = [];
      for await (const entry of readArchiveEntries(Readable.from([storedArchive(s3)]))) read.push(entry);

      expect(read[0]).toMatchObject({ kind: 'metadata-version', body: Buffer.from('1.1.0\n') });
      expect(read.slice(1).map((entry) => (entry.kind === 'object' ? [entry.resourceName, entry.namespace, entry.name, entry.body.toString()] : entry.kind))).toEqual(objects);
    });

    it('commits manifest.json last, as pretty JSON with the same encryption, after the archive is complete', async () => {
      const s3 = fakeS3();
      const summary = await writeAll(s3);

      expect(commandsSent(s3)).toEqual(['HeadObjectCommand', 'PutObjectCommand', 'PutObjectCommand']);
      const [archivePut, manifestPut] = s3.mock.commandCalls(PutObjectCommand);
      expect(archivePut?.args[0].input).toMatchObject({ Key: ARCHIVE_KEY, ServerSideEncryption: 'AES256', ContentType: 'application/gzip' });
      expect(manifestPut?.args[0].input).toMatchObject({
        Key: MANIFEST_KEY,
        ServerSideEncryption: 'AES256',
        ContentType: 'application/json',
        IfNoneMatch: '*',
      });
      const stored = s3.objects.get(MANIFEST_KEY)?.toString('utf8') ?? '';
      expect(stored).toContain('\n  "recoveryPointId"');
      // The writer adds its index to the manifest it was given.
      expect(parseManifest(stored)).toEqual({ ...manifestFor(summary), index: summary.index });
    });
  });

  describe('a recovery point that already exists', () => {
    it('is refused before anything is uploaded', async () => {
      const s3 = fakeS3();
      s3.objects.set(MANIFEST_KEY, Buffer.from('{}'));

      await expect(open(s3)).rejects.toBeInstanceOf(RecoveryPointExistsError);
      expect(s3.mock).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: MANIFEST_KEY });
      expect(commandsSent(s3)).toEqual(['HeadObjectCommand']);
    });

    it('fails with RecoveryPointWriteError when HeadObject is denied, rather than assuming it is free', async () => {
      const s3 = fakeS3();
      const denied = new S3ServiceException({ name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Forbidden' });
      s3.mock.on(HeadObjectCommand).rejects(denied);

      const error = await open(s3).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecoveryPointWriteError);
      expect((error as RecoveryPointWriteError).cause).toBe(denied);
      expect(commandsSent(s3)).toEqual(['HeadObjectCommand']);
    });

    it('turns a manifest that appeared meanwhile (412 on If-None-Match) into RecoveryPointExistsError', async () => {
      const s3 = fakeS3();
      const writer = await open(s3);
      await writer.addObject('configmaps', 'default', 'a', '{}');
      const summary = await writer.finish();
      s3.objects.set(MANIFEST_KEY, Buffer.from('{"other":"run"}'));

      await expect(writer.writeManifest(manifestFor(summary))).rejects.toBeInstanceOf(RecoveryPointExistsError);
      expect(s3.objects.get(MANIFEST_KEY)?.toString()).toBe('{"other":"run"}');
    });
  });

  describe('large archives', () => {
    it('uploads a body larger than one part in parts, holding the producer back while S3 is slow', async () => {
      const partSize = 5 * MiB;
      const s3 = fakeS3({ beforeUploadPart: () => new Promise((resolve) => setTimeout(resolve, 150)) });
      // Level 0 (stored): the archive is as large as its input, so accepted input bytes compare with S3's.
      const writer = await open(s3, { queueSize: 1, gzipLevel: 0 });
      const bodies = Array.from({ length: 100 }, (_, i) => randomConfigMap(`blob-${i}`, 256 * 1024));
      let accepted = 0;
      let maxAhead = 0;
      // addObject calls still pending when S3 acknowledged a part: the producer waited for S3, not for the clock
      // (a wall-clock threshold failed on a machine busy enough to slow the producer below S3's pace).
      let heldAcrossAck = 0;
      for (let i = 0; i < 100; i++) {
        const body = bodies[i]!;
        const ackedBefore = s3.acknowledgedPartBytes();
        await writer.addObject('configmaps', 'bulk', `blob-${i}`, body);
        if (s3.acknowledgedPartBytes() > ackedBefore) heldAcrossAck++;
        accepted += body.length;
        maxAhead = Math.max(maxAhead, accepted - s3.acknowledgedPartBytes());
      }
      const summary = await writer.finish();
      const archive = storedArchive(s3);

      // ~25 MiB: without backpressure the producer would hand over all of it before S3 acknowledged a part.
      expect(summary.bytes).toBeGreaterThan(4 * partSize);
      // One part uploading, one being filled, one type's open gzip member (at most ~1 MiB), small buffers, one object.
      expect(maxAhead).toBeLessThanOrEqual(2 * partSize + 2 * MiB);
      // addObject waited for a slow (150 ms) UploadPart to be acknowledged, for most of the parts.
      expect(heldAcrossAck).toBeGreaterThanOrEqual(2);
      expect(s3.mock.commandCalls(UploadPartCommand).length).toBe(Math.ceil(summary.bytes / partSize));
      expect(s3.mock).toHaveReceivedCommandTimes(CompleteMultipartUploadCommand, 1);
      expect(summary.bytes).toBe(archive.length);
      expect(summary.sha256).toBe(sha256(archive));

      const entries = await untarGzip(archive);
      expect(entries).toHaveLength(101);
      // By name: a type's first entries sit in the member shared by small types (format 1.2), the rest follow.
      const byName = new Map(entries.map((entry) => [entry.name, entry.body.toString('utf8')]));
      bodies.forEach((body, i) => expect(byName.get(`resources/configmaps/namespaces/bulk/blob-${i}.json`)).toBe(body));
    });

    it('sends aws:kms with the key id on CreateMultipartUpload and on the manifest', async () => {
      const s3 = fakeS3();
      const kmsKeyId = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const writer = await open(s3, { gzipLevel: 1, serverSideEncryption: { type: 'aws:kms', kmsKeyId } });
      for (let i = 0; i < 30; i++) await writer.addObject('configmaps', 'bulk', `b${i}`, randomConfigMap(`b${i}`, 256 * 1024));
      const summary = await writer.finish();
      await writer.writeManifest(manifestFor(summary));

      const sse = { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyId };
      expect(s3.mock).toHaveReceivedCommandWith(CreateMultipartUploadCommand, { Key: ARCHIVE_KEY, ...sse });
      expect(s3.mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: MANIFEST_KEY, ...sse });
      expect(s3.mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Key: ARCHIVE_KEY });
    });
  });

  describe('failures', () => {
    it('fails addObject/finish when UploadPart fails mid-way, aborts the upload and never writes a manifest', async () => {
      const s3Error = new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'boom' });
      const s3 = fakeS3({
        beforeUploadPart: async (input) => {
          if (input.PartNumber === 2) throw s3Error;
        },
      });
      const writer = await open(s3, { queueSize: 2, gzipLevel: 1 });

      let failure: unknown;
      for (let i = 0; i < 200 && failure === undefined; i++) {
        await writer.addObject('configmaps', 'bulk', `b${i}`, randomConfigMap(`b${i}`, 256 * 1024)).catch((e: unknown) => {
          failure = e;
        });
      }
      failure ??= await writer.finish().catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(RecoveryPointWriteError);
      expect((failure as RecoveryPointWriteError).cause).toBe(s3Error);
      expect(writer.state).toBe('failed');
      await expect(writer.addObject('configmaps', 'bulk', 'late', '{}')).rejects.toBe(failure);
      await expect(writer.finish()).rejects.toBe(failure);
      await expect(writer.writeManifest(manifestFor({ key: ARCHIVE_KEY, bytes: 1, sha256: '0'.repeat(64), objects: 1, entries: 2 }))).rejects.toBe(failure);
      await writer.abort('cleanup after failure'); // safe after a failure

      expect(s3.mock).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { Bucket: BUCKET, Key: ARCHIVE_KEY, UploadId: 'upload-1' });
      expect(s3.mock).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
      expect(s3.mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Key: MANIFEST_KEY });
      expect(s3.objects.has(ARCHIVE_KEY)).toBe(false);
      expect(s3.openUploads()).toEqual([]);
    });

    it('abort() after partial writes aborts the multipart upload, and later calls reject', async () => {
      const s3 = fakeS3();
      const writer = await open(s3, { gzipLevel: 1 });
      for (let i = 0; i < 30; i++) await writer.addObject('configmaps', 'bulk', `b${i}`, randomConfigMap(`b${i}`, 256 * 1024));
      expect(writer.compressedBytes).toBeGreaterThan(5 * MiB); // at least one part handed to the upload

      await writer.abort(new Error('backup cancelled'));
      await writer.abort('twice'); // idempotent

      expect(s3.mock).toHaveReceivedCommand(CreateMultipartUploadCommand);
      expect(s3.mock).toHaveReceivedCommandTimes(AbortMultipartUploadCommand, 1);
      expect(s3.mock).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
      expect(s3.mock).not.toHaveReceivedCommand(PutObjectCommand);
      expect(s3.openUploads()).toEqual([]);
      expect(writer.state).toBe('aborted');
      await expect(writer.addObject('configmaps', 'bulk', 'late', '{}')).rejects.toBeInstanceOf(RecoveryPointAbortedError);
      await expect(writer.finish()).rejects.toBeInstanceOf(RecoveryPointAbortedError);
    });

    it('abort() before the first part is full uploads nothing (no truncated single-part PutObject)', async () => {
      const s3 = fakeS3();
      const writer = await open(s3);
      await writer.addObject('configmaps', 'default', 'a', '{"kind":"ConfigMap"}');

      await writer.abort('stop');

      expect(commandsSent(s3)).toEqual(['HeadObjectCommand']);
      expect(s3.objects.size).toBe(0);
    });

    it('aborts when the abort signal fires', async () => {
      const s3 = fakeS3();
      const controller = new AbortController();
      const writer = await open(s3, { signal: controller.signal });
      await writer.addObject('configmaps', 'default', 'a', '{}');

      controller.abort(new Error('lambda timeout near'));

      await expect(writer.finish()).rejects.toBeInstanceOf(RecoveryPointAbortedError);
      expect(s3.objects.size).toBe(0);
    });

    it('refuses an unsafe object name without failing the writer', async () => {
      const s3 = fakeS3();
      const writer = await open(s3);

      await expect(writer.addObject('configmaps', 'default', '../../escape', '{}')).rejects.toBeInstanceOf(RecoveryPointPathError);
      await expect(writer.addObject('configmaps', '..', 'x', '{}')).rejects.toBeInstanceOf(RecoveryPointPathError);
      await writer.addObject('configmaps', 'default', 'fine', '{}');
      const summary = await writer.finish();

      expect(summary.objects).toBe(1);
      expect((await untarGzip(storedArchive(s3))).map((entry) => entry.name)).toEqual([
        'metadata/version',
        'resources/configmaps/namespaces/default/fine.json',
      ]);
    });
  });

  describe('state rules', () => {
    it('refuses writeManifest before finish() and addObject after it', async () => {
      const s3 = fakeS3();
      const writer = await open(s3);
      const early = manifestFor({ key: ARCHIVE_KEY, bytes: 1, sha256: 'a'.repeat(64), objects: 0, entries: 1 });

      await expect(writer.writeManifest(early)).rejects.toBeInstanceOf(RecoveryPointStateError);
      await writer.finish();
      await expect(writer.addObject('configmaps', 'default', 'late', '{}')).rejects.toBeInstanceOf(RecoveryPointStateError);
      await expect(writer.finish()).rejects.toBeInstanceOf(RecoveryPointStateError);
      expect(s3.mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Key: MANIFEST_KEY });
    });

    it('refuses a manifest whose archive block does not describe the archive written, or that says FAILED', async () => {
      const s3 = fakeS3();
      const writer = await open(s3);
      await writer.addObject('configmaps', 'default', 'a', '{}');
      const summary = await writer.finish();

      await expect(writer.writeManifest(manifestFor({ ...summary, objects: 2 }))).rejects.toBeInstanceOf(ManifestError);
      await expect(writer.writeManifest({ ...manifestFor(summary), status: 'FAILED' })).rejects.toBeInstanceOf(ManifestError);
      expect(s3.mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Key: MANIFEST_KEY });
      await writer.writeManifest(manifestFor(summary));
      expect(writer.state).toBe('committed');
    });

    it('rejects an unsafe folder before calling S3', async () => {
      const s3 = fakeS3();
      await expect(RecoveryPointWriter.create({ s3: s3.client, bucket: BUCKET, folder: 'eks/../other/' })).rejects.toBeInstanceOf(
        RecoveryPointPathError,
      );
      expect(commandsSent(s3)).toEqual([]);
    });
  });
});
