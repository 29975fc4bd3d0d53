// S3's answer to a GetObject with or without `Range: bytes=a-b`, for the in-memory S3 fakes.
import { sdkStreamBody } from './sdkStreamBody';

/** The GetObject output for `body` and the request's Range (only the `bytes=a-b` form S3 readers here send). */
export function getObjectOutput(body: Buffer, range: string | undefined) {
  if (range === undefined) return { Body: sdkStreamBody(body), ContentLength: body.length };
  const match = /^bytes=(\d+)-(\d+)$/.exec(range);
  if (!match) throw new Error(`the fake S3 does not understand Range ${range}`);
  const start = Number(match[1]);
  // As S3 answers a range that starts past the object's end.
  if (start >= body.length) throw Object.assign(new Error('The requested range is not satisfiable'), { name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
  const end = Math.min(Number(match[2]), body.length - 1);
  const part = body.subarray(start, end + 1);
  return { Body: sdkStreamBody(part), ContentLength: part.length, ContentRange: `bytes ${start}-${end}/${body.length}` };
}
