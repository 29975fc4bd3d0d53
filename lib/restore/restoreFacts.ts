import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SpoolFacts } from './RestoreSpool';

/** Where a durable restore keeps its facts (layout.restoreFactsKey, in the report's bucket). */
export interface FactsLocation {
  bucket: string;
  key: string;
}

/** Written once by a durable restore's `prepare`, after the whole archive was verified. */
export async function writeRestoreFacts(s3: S3Client, at: FactsLocation, facts: SpoolFacts, signal?: AbortSignal): Promise<void> {
  await s3.send(new PutObjectCommand({
    Bucket: at.bucket, Key: at.key, Body: JSON.stringify(facts), ContentType: 'application/json', ServerSideEncryption: 'AES256',
  }), signal ? { abortSignal: signal } : {});
}

/** The facts, or undefined when there are none (a prepare of a 1.0 or 1.1 recovery point writes none). */
export async function readRestoreFacts(s3: S3Client, at: FactsLocation, signal?: AbortSignal): Promise<SpoolFacts | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }), signal ? { abortSignal: signal } : {});
    const text = await res.Body?.transformToString('utf8');
    return text ? (JSON.parse(text) as SpoolFacts) : undefined;
  } catch (err) {
    if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}
