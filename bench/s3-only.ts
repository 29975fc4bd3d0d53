// The reference bundle for the cold-load comparison: a Lambda that imports only the S3 client and
// constructs one, as the smallest useful function touching S3 would.
import { S3Client } from '@aws-sdk/client-s3';

export const s3 = new S3Client({});

export async function handler(): Promise<string> {
  return s3.config.serviceId;
}
