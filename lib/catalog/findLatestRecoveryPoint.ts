import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { RecoveryPointNotFoundError } from '../recovery-point/errors';
import { RecoveryPointReader } from '../recovery-point/RecoveryPointReader';

/**
 * The newest recovery point of a cluster whose manifest says COMPLETED or PARTIAL (a folder without a
 * manifest is never one). Recovery point ids are generated sortable by time, so folders are tried newest
 * id first; the first with a readable manifest wins. Throws RecoveryPointNotFoundError when there is none.
 */
export async function findLatestRecoveryPoint(s3: S3Client, bucket: string, prefix: string, clusterName: string): Promise<RecoveryPointReader> {
  const base = `${prefix}${clusterName}/`;
  const folders: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: base, Delimiter: '/', ContinuationToken: token }));
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix && p.Prefix !== `${base}restores/`) folders.push(p.Prefix);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  folders.sort().reverse();
  for (const folder of folders) {
    try {
      const reader = await RecoveryPointReader.open(s3, bucket, folder);
      if (reader.manifest.status === 'COMPLETED' || reader.manifest.status === 'PARTIAL') return reader;
    } catch (err) {
      if (!(err instanceof RecoveryPointNotFoundError)) throw err;
    }
  }
  throw new RecoveryPointNotFoundError(bucket, base, 'no COMPLETED or PARTIAL recovery point of this cluster');
}
