import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RestoreCounts, RestoreStatusDocument, SliceSpec } from './types';

/** Where the status document lives: the recovery delegate's own bucket (layout.restoreStatusKey). */
export interface StatusLocation {
  bucket: string;
  key: string;
}

export async function writeRestoreStatus(s3: S3Client, at: StatusLocation, doc: RestoreStatusDocument): Promise<void> {
  await s3.send(new PutObjectCommand({
    Bucket: at.bucket, Key: at.key, Body: JSON.stringify(doc, null, 2), ContentType: 'application/json', ServerSideEncryption: 'AES256',
  }));
}

/** The status document, or undefined when there is none (no such restore, or not a durable one). */
export async function readRestoreStatus(s3: S3Client, at: StatusLocation): Promise<RestoreStatusDocument | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
    const text = await res.Body?.transformToString('utf8');
    return text ? (JSON.parse(text) as RestoreStatusDocument) : undefined;
  } catch (err) {
    if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

/** Progress after a step: done of total, and a rate and ETA from the time since prepare finished. */
export function progressOf(
  plan: { objects: number; slices: readonly SliceSpec[]; startedAt: string }, done: RestoreCounts, stepsDone: number, now: Date,
): Pick<RestoreStatusDocument, 'steps' | 'objects' | 'objectsPerSecond' | 'etaSeconds' | 'current' | 'next'> {
  const elapsed = (now.getTime() - Date.parse(plan.startedAt)) / 1000;
  const rate = elapsed > 0 ? done.objects / elapsed : undefined;
  const left = Math.max(0, plan.objects - done.objects);
  const last = plan.slices[stepsDone - 1];
  const next = plan.slices[stepsDone];
  return {
    steps: { done: stepsDone, total: plan.slices.length },
    objects: { done: done.objects, total: plan.objects },
    ...(rate !== undefined ? { objectsPerSecond: Math.round(rate * 10) / 10 } : {}),
    ...(rate ? { etaSeconds: Math.round(left / rate) } : {}),
    ...(last ? { current: { step: last.name, tier: last.tier, resource: last.resource } } : {}),
    ...(next ? { next: { step: next.name, tier: next.tier, resource: next.resource, objects: next.count } } : {}),
  };
}
