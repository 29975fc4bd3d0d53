// The last real restore's write rate, for the RTO estimate: its report's summary (created, updated,
// durationMs) read from the head of the newest non-dry-run restore report. Reports are where a restore puts
// them (lib/restore, handlers/actions/restore.ts): beside the recovery point, or in the delegate's own bucket.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { RtoResult } from './types';

/** The summary sits before the rows: the first bytes hold it whatever the report's size. */
const SUMMARY_BYTES = 16 * 1024;
/** Reports read before giving up on finding a real (not dry-run) restore. */
const MAX_REPORTS_READ = 5;

export interface RestoreReportFolder {
  s3: S3Client;
  bucket: string;
  /** Key prefix ending with `restores/`. */
  prefix: string;
}

export async function lastRestoreRate(folders: readonly RestoreReportFolder[]): Promise<RtoResult['lastRestore']> {
  const candidates: Array<{ folder: RestoreReportFolder; key: string; at: number }> = [];
  for (const folder of folders) {
    let token: string | undefined;
    do {
      const out = await folder.s3.send(new ListObjectsV2Command({ Bucket: folder.bucket, Prefix: folder.prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of out.Contents ?? []) if (o.Key?.endsWith('.json')) candidates.push({ folder, key: o.Key, at: o.LastModified?.getTime() ?? 0 });
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }
  candidates.sort((a, b) => b.at - a.at);
  for (const c of candidates.slice(0, MAX_REPORTS_READ)) {
    const summary = await readSummary(c.folder.s3, c.folder.bucket, c.key);
    if (!summary || summary.dryRun !== false || !(summary.durationMs > 0)) continue;
    const objects = (summary.created ?? 0) + (summary.updated ?? 0);
    if (objects === 0) continue;
    return {
      restoreId: String(summary.restoreId ?? ''), objects, durationMs: summary.durationMs,
      writesPerSecond: Math.round((objects / (summary.durationMs / 1000)) * 10) / 10, report: `s3://${c.folder.bucket}/${c.key}`,
    };
  }
  return undefined;
}

interface ReportSummary { dryRun?: boolean; created?: number; updated?: number; durationMs: number; restoreId?: string }

async function readSummary(s3: S3Client, bucket: string, key: string): Promise<ReportSummary | undefined> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${SUMMARY_BYTES - 1}` }));
  const head = (await out.Body?.transformToString('utf8')) ?? '';
  const cut = head.indexOf('"objects": [');
  try {
    const text = cut >= 0 ? `${head.slice(0, head.lastIndexOf(',', cut))}}` : head;
    return JSON.parse(text) as ReportSummary;
  } catch {
    return undefined; // not a restore report, or a summary longer than the head read
  }
}
