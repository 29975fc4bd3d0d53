// The CRC32 that S3 checks on every part the delegate uploads (SDK >= 3.729 sends x-amz-checksum-crc32 by
// default). The SDK computes it with node's zlib.crc32 where node has it (Node >= 20.15 and 22) and in
// JavaScript otherwise; measured on a 5 MiB part: about 1-2 ms native against 55 ms in JavaScript. These
// tests pin both branches, whatever the node running them: the header must be the part's CRC32 either way,
// and the native function must be the one used where it exists (issue 17).
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { HttpResponse, type HttpRequest } from '@smithy/protocol-http';

type Crc32 = (data: Uint8Array, value?: number) => number;

/**
 * Bitwise CRC-32 (IEEE), independent of both implementations under test. `value` is the CRC so far, as in
 * zlib.crc32's contract, so a body may come in pieces.
 */
function referenceCrc32(data: Uint8Array, value = 0): number {
  let crc = (value ^ 0xffffffff) >>> 0;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function base64Crc32(value: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out.toString('base64');
}

/**
 * Loads the delegate's S3 client afresh (its own module registry, so the SDK decides again whether
 * zlib.crc32 exists) with zlib.crc32 set to `crc32` (or removed), sends one UploadPart of `body` and
 * returns the request as it would go on the wire.
 */
async function uploadPartRequest(crc32: Crc32 | undefined, body: Buffer): Promise<HttpRequest> {
  const original = Object.getOwnPropertyDescriptor(zlib, 'crc32');
  if (crc32) Object.defineProperty(zlib, 'crc32', { value: crc32, writable: true, enumerable: true, configurable: true });
  else delete (zlib as { crc32?: Crc32 }).crc32;
  try {
    let sent: HttpRequest | undefined;
    await jest.isolateModulesAsync(async () => {
      const { createAwsClients } = await import('../../../lib/aws/clients');
      const { UploadPartCommand } = await import('@aws-sdk/client-s3');
      const clients = createAwsClients({ region: 'us-east-1' });
      // Innermost, where the request handler would send it: answer as S3 would, after checksum and signing.
      clients.s3.middlewareStack.add((_next) => async (args) => {
        sent = args.request as HttpRequest;
        return { response: new HttpResponse({ statusCode: 200, headers: { etag: '"part-1"' }, body: Readable.from([]) }), output: undefined };
      }, { step: 'deserialize', priority: 'low', name: 'captureRequest' });
      try {
        await clients.s3.send(new UploadPartCommand({ Bucket: 'b', Key: 'k', UploadId: 'u', PartNumber: 1, Body: body, ContentLength: body.length }));
      } finally {
        clients.destroy();
      }
    });
    if (!sent) throw new Error('no request was sent');
    return sent;
  } finally {
    if (original) Object.defineProperty(zlib, 'crc32', original);
    else delete (zlib as { crc32?: Crc32 }).crc32;
  }
}

describe('the CRC32 of uploaded parts', () => {
  const body = Buffer.from(Array.from({ length: 256 * 1024 + 13 }, (_, i) => (i * 131 + 7) % 256));
  const expected = base64Crc32(referenceCrc32(body));
  const savedEnv = { ...process.env };

  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    delete process.env.AWS_PROFILE;
  });
  afterAll(() => {
    process.env = savedEnv;
  });

  it('is the reference CRC-32 ("123456789" -> cbf43926)', () => {
    expect(referenceCrc32(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
  });

  it('is computed with zlib.crc32 where node has it', async () => {
    const calls: number[] = [];
    const native: Crc32 = (data, value) => {
      calls.push(data.length);
      return referenceCrc32(data, value ?? 0);
    };
    const request = await uploadPartRequest(native, body);
    expect(request.headers['x-amz-checksum-crc32']).toBe(expected);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(body.length);
  });

  it('is computed in JavaScript, to the same value, where node lacks zlib.crc32', async () => {
    const request = await uploadPartRequest(undefined, body);
    expect(request.headers['x-amz-checksum-crc32']).toBe(expected);
  });

  it('uses the running node\'s own zlib.crc32 when it has one (Node >= 20.15, and 22)', async () => {
    const own = Object.getOwnPropertyDescriptor(zlib, 'crc32')?.value as Crc32 | undefined;
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    expect(typeof own === 'function').toBe(major > 20 || (major === 20 && minor >= 15));
    if (!own) return;
    const request = await uploadPartRequest(own, body);
    expect(request.headers['x-amz-checksum-crc32']).toBe(expected);
    expect(own(body)).toBe(referenceCrc32(body));
  });
});

