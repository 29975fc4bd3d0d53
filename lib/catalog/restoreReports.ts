// Restore reports read back (issue 27: "restores you can look at"): each restore wrote one JSON document,
// `{...summary, "objects": [rows]}`, beside its recovery point or under the recovery cluster's own folder
// (lib/recovery-point/layout.ts restoreReportKey). Listing needs only the summaries, which the writer puts
// first: they are read from the head of each document, never the rows of a 100k-object restore.
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { parseRestoreReportKey, type ParsedRestoreReportKey } from '../recovery-point/layout';
import type { RestoreReportRow, RowOutcome } from '../restore/types';
import { RestoreReportNotFoundError, RestoreReportUnreadableError } from './errors';

/** Bytes read from the head of a report for its summary; a longer summary (many warnings) is read whole. */
const SUMMARY_HEAD_BYTES = 256 * 1024;
/** Where the rows begin in what RestoreReport.upload writes. */
const ROWS_START = ',\n  "objects": [';
/** Reports whose summaries are read at once. */
const READ_CONCURRENCY = 4;

/** Where restore reports are looked for: one bucket and prefix, the folders of these clusters. */
export interface RestoreReportLocation {
  s3: S3Client;
  bucket: string;
  prefix: string;
  /** Clusters whose folders hold reports: the source (beside its recovery points) and the target (its own). */
  clusters: readonly string[];
  signal?: AbortSignal;
}

/** What a report says about its restore as a whole (what runRestore wrote before the rows). */
export interface RestoreReportSummary {
  restoreId: string;
  status: string;
  dryRun: boolean;
  recoveryPointId: string;
  sourceCluster: string;
  /** Absent in reports written before it was recorded. */
  targetCluster?: string;
  created: number;
  updated: number;
  failed: number;
  notAttempted: number;
  skipped: Record<string, number>;
  translations?: Record<string, number>;
  untranslatedReferences?: Array<{ type: string; id: string; objects: string[] }>;
  warnings: string[];
  stoppedReason?: string;
  error?: string;
  startedAt: string;
  durationMs: number;
  report: string;
}

/** One report found: where it is and its summary. */
export interface StoredRestoreReport extends ParsedRestoreReportKey {
  key: string;
  summary: RestoreReportSummary;
}

/**
 * The newest `limit` reports under the clusters' folders (of one recovery point when `recoveryPointId` is
 * given), newest first by restore id (ids start with their UTC start time), and how many there are.
 */
export async function listRestoreReports(
  where: RestoreReportLocation, { limit, recoveryPointId }: { limit: number; recoveryPointId?: string },
): Promise<{ reports: StoredRestoreReport[]; total: number }> {
  const found = (await findReportKeys(where)).filter((r) => recoveryPointId === undefined || r.recoveryPointId === recoveryPointId);
  const newest = found.slice(0, limit);
  const reports: StoredRestoreReport[] = [];
  for (let i = 0; i < newest.length; i += READ_CONCURRENCY) {
    const batch = newest.slice(i, i + READ_CONCURRENCY);
    reports.push(...await Promise.all(batch.map(async (r) => ({ ...r, summary: await readSummary(where, r.key) }))));
  }
  return { reports, total: found.length };
}

/** One restore's report, rows and all; RestoreReportNotFoundError when no folder holds it. */
export async function readRestoreReport(
  where: RestoreReportLocation, restoreId: string,
): Promise<StoredRestoreReport & { rows: RestoreReportRow[] }> {
  const found = (await findReportKeys(where)).find((r) => r.restoreId === restoreId);
  if (!found) throw new RestoreReportNotFoundError(restoreId, where.clusters.map((c) => `s3://${where.bucket}/${where.prefix}${c}/`));
  const doc = parseReport(await getText(where, found.key), found.key);
  const { objects, ...summary } = doc;
  const rows = Array.isArray(objects) ? (objects as RestoreReportRow[]) : [];
  return { ...found, summary: summary as unknown as RestoreReportSummary, rows };
}

/** Rows per outcome, in the order people read them. */
export const OUTCOME_ORDER: readonly RowOutcome[] = ['failed', 'not-attempted', 'created', 'updated', 'exists', 'skipped'];

/** Every report key under the clusters' folders, newest first, each once. */
async function findReportKeys(where: RestoreReportLocation): Promise<Array<ParsedRestoreReportKey & { key: string }>> {
  const byKey = new Map<string, ParsedRestoreReportKey & { key: string }>();
  for (const cluster of new Set(where.clusters)) {
    let token: string | undefined;
    do {
      const out = await where.s3.send(new ListObjectsV2Command({
        Bucket: where.bucket, Prefix: `${where.prefix}${cluster}/`, ...(token ? { ContinuationToken: token } : {}),
      }), { abortSignal: where.signal });
      for (const o of out.Contents ?? []) {
        const parsed = o.Key ? parseRestoreReportKey(where.prefix, o.Key) : undefined;
        if (parsed && o.Key) byKey.set(o.Key, { ...parsed, key: o.Key });
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }
  return [...byKey.values()].sort((a, b) => (a.restoreId < b.restoreId ? 1 : a.restoreId > b.restoreId ? -1 : a.key < b.key ? -1 : 1));
}

/** The summary from the head of the document; the whole document when the head does not reach the rows. */
async function readSummary(where: RestoreReportLocation, key: string): Promise<RestoreReportSummary> {
  const head = await getText(where, key, SUMMARY_HEAD_BYTES);
  const at = head.indexOf(ROWS_START);
  const text = at >= 0 ? `${head.slice(0, at)}\n}` : await getText(where, key);
  const { objects: _rows, ...summary } = parseReport(text, key);
  return summary as unknown as RestoreReportSummary;
}

function parseReport(text: string, key: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new RestoreReportUnreadableError(key, `not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof (doc as { restoreId?: unknown }).restoreId !== 'string') {
    throw new RestoreReportUnreadableError(key, 'not a restore report (no restoreId)');
  }
  return doc as Record<string, unknown>;
}

async function getText(where: RestoreReportLocation, key: string, headBytes?: number): Promise<string> {
  try {
    const out = await where.s3.send(new GetObjectCommand({
      Bucket: where.bucket, Key: key, ...(headBytes ? { Range: `bytes=0-${headBytes - 1}` } : {}),
    }), { abortSignal: where.signal });
    return await (out.Body?.transformToString('utf8') ?? Promise.resolve(''));
  } catch (err) {
    if (err instanceof NoSuchKey) throw new RestoreReportNotFoundError(key, [`s3://${where.bucket}/${key}`], { cause: err });
    throw err;
  }
}
