// `npm run bench -- --format-size`: what the seekable format (1.2, one gzip member per resource type) costs
// in archive size against the single-stream 1.1 layout (issue 26: target <= +3%). No cluster: the seed's
// own objects (objectAt), as the API server stores them (asStored: uid, creationTimestamp, managedFields),
// go through the real RecoveryPointWriter twice, once per layout, into an S3 that only counts bytes.
import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, NotFound, PutObjectCommand, S3Client,
  UploadPartCommand, type UploadPartCommandInput,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DEFAULT_GZIP_LEVEL, DEFAULT_MEMBER_BYTES, DEFAULT_SMALL_TYPE_BYTES, RecoveryPointWriter, membersInArchiveOrder, recoveryPointFolder,
  type ArchiveSummary,
} from '../lib/recovery-point';
import { asStored } from './etcdSeed';
import { objectAt } from './seedCluster';

/** One size, both layouts. */
export interface FormatSizeRow {
  /** Seeded objects (the bench seed's seven types). */
  seededObjects: number;
  /** Small types added, as a real cluster's control plane has (RBAC, webhooks, API services...); 0 for the seed alone. */
  smallTypes: number;
  /** Objects written, small types' included. */
  objects: number;
  resourceTypes: number;
  /** resources.tar.gz in the 1.1 layout (one gzip stream). */
  singleStreamBytes: number;
  /** resources.tar.gz in the 1.2 layout (a gzip member per type, head and tail members). */
  seekableBytes: number;
  /** (seekable - single) / single, in percent. */
  archiveOverheadPercent: number;
  /** Distinct gzip members of the 1.2 archive, head, shared and tail included. */
  members: number;
  /** The manifest's `index` field as written (pretty JSON). */
  indexBytes: number;
  /** Archive plus index against the 1.1 archive, in percent: everything the format adds. */
  totalOverheadPercent: number;
}

/** results.json `seekableFormat`. */
export interface SeekableFormatResult {
  generatedAt: string;
  command: string;
  gzipLevel: number;
  maxMemberBytes: number;
  smallTypeBytes: number;
  targetPercent: number;
  method: string;
  sizes: FormatSizeRow[];
}

export const FORMAT_SIZE_TARGET_PERCENT = 3;

const CREATED_AT = '2026-12-07T03:00:00Z';

/** The seed's object `i` as its type's list would serve it; the uid derived from `i`, so both layouts see the same bytes. */
function storedObject(i: number): { resourceName: string; namespace: string | undefined; name: string; json: string } {
  const spec = objectAt(i);
  const body = asStored(spec.body, CREATED_AT);
  const metadata = body.metadata as { name: string; namespace?: string; uid: string };
  const h = createHash('sha256').update(String(i)).digest('hex');
  metadata.uid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return { resourceName: resourceNameOf(spec.collection), namespace: metadata.namespace, name: metadata.name, json: JSON.stringify(body) };
}

/** Velero's resource name for a collection path: `/api/v1/namespaces/x/configmaps` -> configmaps, `/apis/apps/v1/...` -> deployments.apps. */
function resourceNameOf(collection: string): string {
  const parts = collection.split('/').filter((p) => p !== '');
  const plural = parts.at(-1)!;
  return parts[0] === 'apis' ? `${plural}.${parts[1]}` : plural;
}

/** An S3 that accepts the writer's calls and keeps only sizes. */
function countingS3(): { client: S3Client; stored: Map<string, number> } {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bench' } });
  const mock = mockClient(client);
  const stored = new Map<string, number>();
  const uploads = new Map<string, { key: string; bytes: number }>();
  mock.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
  mock.on(CreateMultipartUploadCommand).callsFake(async (input: { Key?: string }) => {
    const id = `u${uploads.size + 1}`;
    uploads.set(id, { key: input.Key ?? '', bytes: 0 });
    return { UploadId: id };
  });
  mock.on(UploadPartCommand).callsFake(async (input: UploadPartCommandInput) => {
    uploads.get(input.UploadId ?? '')!.bytes += (input.Body as Uint8Array).byteLength;
    return { ETag: `"${input.PartNumber}"` };
  });
  mock.on(CompleteMultipartUploadCommand).callsFake(async (input: { UploadId?: string }) => {
    const upload = uploads.get(input.UploadId ?? '')!;
    stored.set(upload.key, upload.bytes);
    return {};
  });
  mock.on(PutObjectCommand).callsFake(async (input: { Key?: string; Body?: unknown }) => {
    const body = input.Body;
    stored.set(input.Key ?? '', typeof body === 'string' ? Buffer.byteLength(body) : (body as Uint8Array).byteLength);
    return {};
  });
  return { client, stored };
}

/** Objects per small type, cycling: a real control plane's types hold a few to a few dozen objects. */
const SMALL_TYPE_SIZES = [1, 2, 3, 5, 8, 12, 20, 40];
/** Small types a cluster has beside its applications (an EKS 1.31 control plane serves about 60 with objects). */
export const SMALL_TYPES = 60;

/**
 * Small type `t`'s objects: seed objects of a rotating kind, renamed into a cluster-scoped type of their
 * own, so each small type is a member of its own with no context shared with the big ones.
 */
function smallTypeObjects(t: number): Array<{ resourceName: string; namespace: string | undefined; name: string; json: string }> {
  const resourceName = `things${t}.system.example.com`;
  return Array.from({ length: SMALL_TYPE_SIZES[t % SMALL_TYPE_SIZES.length]! }, (_, k) => {
    const o = storedObject(1_000_000 + t * 100 + k);
    const name = `system-${t}-${k}`;
    const body = JSON.parse(o.json) as { apiVersion: string; kind: string; metadata: Record<string, unknown> };
    body.apiVersion = 'system.example.com/v1';
    body.kind = `Thing${t}`;
    body.metadata.name = name;
    delete body.metadata.namespace;
    return { resourceName, namespace: undefined, name, json: JSON.stringify(body) };
  });
}

/** Writes the first `objects` seeded objects, type after type (the single stream's best case), then the small types, in one layout. */
async function writeArchive(objects: number, smallTypes: number, seekable: boolean, typeOrder: readonly string[], byType: ReadonlyMap<string, number[]>): Promise<ArchiveSummary> {
  const { client } = countingS3();
  const folder = recoveryPointFolder('bench/', 'format', seekable ? 'seekable' : 'single');
  const writer = await RecoveryPointWriter.create({ s3: client, bucket: 'bench', folder, seekable, entryTime: new Date(CREATED_AT), conditionalManifestWrite: false });
  for (const type of typeOrder) {
    for (const i of byType.get(type)!) {
      const o = storedObject(i);
      await writer.addObject(o.resourceName, o.namespace, o.name, o.json);
    }
    writer.endResource(type);
  }
  for (let t = 0; t < smallTypes; t++) {
    for (const o of smallTypeObjects(t)) await writer.addObject(o.resourceName, o.namespace, o.name, o.json);
  }
  const summary = await writer.finish();
  if (summary.objects < objects) throw new Error(`wrote ${summary.objects} objects, meant at least ${objects}`);
  client.destroy();
  return summary;
}

/** Both layouts of the first `objects` seeded objects, plus `smallTypes` small types. */
export async function measureFormatSize(objects: number, smallTypes: number): Promise<FormatSizeRow> {
  const byType = new Map<string, number[]>();
  for (let i = 0; i < objects; i++) {
    const type = resourceNameOf(objectAt(i).collection);
    byType.set(type, [...(byType.get(type) ?? []), i]);
  }
  const typeOrder = [...byType.keys()];
  const single = await writeArchive(objects, smallTypes, false, typeOrder, byType);
  const seekable = await writeArchive(objects, smallTypes, true, typeOrder, byType);
  const index = seekable.index!;
  const indexBytes = Buffer.byteLength(JSON.stringify({ index }, null, 2)) - '{\n}'.length;
  const percent = (n: number) => Math.round(((n - single.bytes) / single.bytes) * 10000) / 100;
  return {
    seededObjects: objects,
    smallTypes,
    objects: single.objects,
    resourceTypes: byType.size + smallTypes,
    singleStreamBytes: single.bytes,
    seekableBytes: seekable.bytes,
    archiveOverheadPercent: percent(seekable.bytes),
    members: membersInArchiveOrder(index).length,
    indexBytes,
    totalOverheadPercent: percent(seekable.bytes + indexBytes),
  };
}

/** Every size, in order. */
export async function measureFormatSizes(sizes: readonly number[], command: string, log: (m: string) => void): Promise<SeekableFormatResult> {
  const rows: FormatSizeRow[] = [];
  for (const size of sizes) {
    for (const smallTypes of [0, SMALL_TYPES]) {
      const row = await measureFormatSize(size, smallTypes);
      log(`format size at ${row.objects} objects in ${row.resourceTypes} types: 1.1 ${row.singleStreamBytes} B, 1.2 ${row.seekableBytes} B (${row.archiveOverheadPercent}%), index ${row.indexBytes} B, total ${row.totalOverheadPercent}%`);
      rows.push(row);
    }
  }
  return {
    generatedAt: new Date().toISOString(),
    command,
    gzipLevel: DEFAULT_GZIP_LEVEL,
    maxMemberBytes: DEFAULT_MEMBER_BYTES,
    smallTypeBytes: DEFAULT_SMALL_TYPE_BYTES,
    targetPercent: FORMAT_SIZE_TARGET_PERCENT,
    method: `the bench seed's objects (bench/seedCluster.ts objectAt, as stored by the API server: bench/etcdSeed.ts asStored) written by the real RecoveryPointWriter in both layouts, type after type (the single stream's best case), Secrets unsealed; each size alone and with ${SMALL_TYPES} small cluster-scoped types of 1-40 objects (a control plane's RBAC, webhooks, API services...); sizes are resources.tar.gz's; the index is the manifest's \`index\` field (manifest.json, not the archive), and totalOverheadPercent counts it against the 1.1 archive too`,
    sizes: rows,
  };
}
