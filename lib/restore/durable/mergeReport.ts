import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { restoreReportPartKey } from '../../recovery-point/layout';
import { RestoreReport } from '../RestoreReport';
import type { RestoreReportRow } from '../types';

/**
 * The final report: every step's part (`{..., objects: [rows]}`, one per step, rewritten whole when a step
 * runs again) read in step order and written as one report with the restore's summary. Each part is bounded
 * by the step's size; the rows go through a local file (RestoreReport) within this one step.
 */
export async function mergeReportParts(
  s3: S3Client, report: { bucket: string; key: string }, parts: readonly number[], summary: Record<string, unknown>, scratchDirectory?: string,
): Promise<number> {
  const merged = new RestoreReport(scratchDirectory);
  try {
    for (const index of parts) {
      const key = restoreReportPartKey(report.key, index);
      const res = await s3.send(new GetObjectCommand({ Bucket: report.bucket, Key: key }));
      const part = JSON.parse((await res.Body?.transformToString('utf8')) ?? '{}') as { objects?: RestoreReportRow[] };
      for (const row of part.objects ?? []) await merged.add(row);
    }
    await merged.upload(s3, report.bucket, report.key, summary);
    return merged.rows;
  } finally {
    merged.dispose();
  }
}
