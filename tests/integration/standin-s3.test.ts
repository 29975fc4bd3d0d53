import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { StandInClient } from '../standin/StandInClient';
import { unique } from './helpers';

// The stand-in's moto reads a ranged GET's range only (tests/standin/moto_server.py), as S3 does, where moto
// itself reads the whole object: what it answers must be S3's answer, byte for byte, for every form of range.
const standIn = StandInClient.fromEnv();
const MiB = 1024 * 1024;
let s3: S3Client;
let key: string;
// Two parts, as the delegate's archives are written: the part boundary is at 5 MiB.
const body = randomBytes(5 * MiB + 4099);
const size = body.length;

beforeAll(async () => {
  s3 = standIn.s3();
  key = `standin-s3/${unique('ranged')}`;
  const Bucket = standIn.conn.bucket;
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: key }));
  const parts = [];
  for (const [i, chunk] of [body.subarray(0, 5 * MiB), body.subarray(5 * MiB)].entries()) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber: i + 1, Body: chunk }));
    parts.push({ PartNumber: i + 1, ETag });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
});

afterAll(() => s3.destroy());

async function get(range?: string): Promise<{ status: number; bytes: Buffer; contentRange?: string; contentLength?: number }> {
  const res = await s3.send(new GetObjectCommand({ Bucket: standIn.conn.bucket, Key: key, ...(range ? { Range: range } : {}) }));
  return {
    status: res.$metadata.httpStatusCode ?? 0, bytes: Buffer.from(await res.Body!.transformToByteArray()),
    ...(res.ContentRange ? { contentRange: res.ContentRange } : {}), ...(res.ContentLength !== undefined ? { contentLength: res.ContentLength } : {}),
  };
}

describe("the stand-in's S3 ranged GET", () => {
  it.each([
    ['the first bytes', 'bytes=0-9', 0, 9],
    ['a range across the part boundary', `bytes=${5 * MiB - 10}-${5 * MiB + 9}`, 5 * MiB - 10, 5 * MiB + 9],
    ['an open-ended range', `bytes=${size - 5}-`, size - 5, size - 1],
    ['a range past the end, cut at the end', `bytes=${size - 3}-${size + 100}`, size - 3, size - 1],
    ['one byte', 'bytes=77-77', 77, 77],
    ['a suffix range (moto\'s own path)', 'bytes=-7', size - 7, size - 1],
  ])('answers %s with 206, the bytes and their Content-Range', async (_what, range, first, last) => {
    const res = await get(range);
    expect(res.status).toBe(206);
    expect(res.contentRange).toBe(`bytes ${first}-${last}/${size}`);
    expect(res.contentLength).toBe(last - first + 1);
    expect(res.bytes.equals(body.subarray(first, last + 1))).toBe(true);
  });

  it('refuses a range that starts past the end with InvalidRange (416)', async () => {
    await expect(get(`bytes=${size}-`)).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
  });

  it('answers several ranges, and no range, with the whole object (as S3 does)', async () => {
    for (const range of ['bytes=0-1,5-6', undefined]) {
      const res = await get(range);
      expect(res.status).toBe(200);
      expect(res.bytes.equals(body)).toBe(true);
    }
  });
});
