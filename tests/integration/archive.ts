import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { readArchiveEntries, type ArchiveEntry } from '../../lib/recovery-point';

export async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

/** Every entry of a recovery point's archive, read with the same reader a restore would use. */
export async function readArchive(bytes: Buffer): Promise<ArchiveEntry[]> {
  const { Readable: R } = await import('node:stream');
  const entries: ArchiveEntry[] = [];
  for await (const e of readArchiveEntries(R.from([bytes]) as Readable)) entries.push(e);
  return entries;
}
