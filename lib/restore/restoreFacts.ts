import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { restoreExistingNamesKey, restoreFactsKey } from '../recovery-point/layout';
import type { SpoolFacts } from './RestoreSpool';

/** Where a durable restore's steps share what they learned: the report's bucket, beside its parts. */
export interface DurableStore {
  bucket: string;
  reportKey: string;
}

/** Written once by a durable restore's `prepare`, after the whole archive was verified. */
export function writeRestoreFacts(s3: S3Client, store: DurableStore, facts: SpoolFacts, signal?: AbortSignal): Promise<void> {
  return putJson(s3, store.bucket, restoreFactsKey(store.reportKey), facts, signal);
}

/** The facts, or undefined when there are none (a prepare of a 1.0 or 1.1 recovery point writes none). */
export function readRestoreFacts(s3: S3Client, store: DurableStore, signal?: AbortSignal): Promise<SpoolFacts | undefined> {
  return getJson<SpoolFacts>(s3, store.bucket, restoreFactsKey(store.reportKey), signal);
}

/** The names a chunked type had in the recovery cluster, listed by its first chunk to run. */
export function writeExistingNames(s3: S3Client, store: DurableStore, resourceName: string, names: ReadonlySet<string>, signal?: AbortSignal): Promise<void> {
  return putJson(s3, store.bucket, restoreExistingNamesKey(store.reportKey, resourceName), [...names], signal);
}

export async function readExistingNames(s3: S3Client, store: DurableStore, resourceName: string, signal?: AbortSignal): Promise<Set<string> | undefined> {
  const names = await getJson<string[]>(s3, store.bucket, restoreExistingNamesKey(store.reportKey, resourceName), signal);
  return names ? new Set(names) : undefined;
}

async function putJson(s3: S3Client, bucket: string, key: string, value: unknown, signal?: AbortSignal): Promise<void> {
  await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: 'application/json', ServerSideEncryption: 'AES256',
  }), signal ? { abortSignal: signal } : {});
}

async function getJson<T>(s3: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<T | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), signal ? { abortSignal: signal } : {});
    const text = await res.Body?.transformToString('utf8');
    return text ? (JSON.parse(text) as T) : undefined;
  } catch (err) {
    if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}
