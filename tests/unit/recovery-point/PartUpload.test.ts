import { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, S3ServiceException, UploadPartCommand } from '@aws-sdk/client-s3';
import 'aws-sdk-client-mock-jest';
import { PartUpload } from '../../../lib/recovery-point/PartUpload';
import { fakeS3 } from './fakeS3';

const PART = 1024;
const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251));
/** The body as a stream of uneven chunks, as gzip hands them over. */
const streamOf = (body: Buffer, chunk = 300) => Readable.from((function* () {
  for (let i = 0; i < body.length; i += chunk) yield body.subarray(i, i + chunk);
})());

describe('PartUpload', () => {
  it('sends a body that fits in one part as one PutObject, with its params', async () => {
    const s3 = fakeS3();
    const body = bytes(PART);
    await new PartUpload({ s3: s3.client, bucket: 'b', key: 'k', body: streamOf(body), params: { ContentType: 'application/gzip', ServerSideEncryption: 'AES256' }, partSizeBytes: PART, queueSize: 1 }).done();
    expect(s3.objects.get('k')).toEqual(body);
    expect(s3.mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: 'k', ContentType: 'application/gzip', ServerSideEncryption: 'AES256', ContentLength: PART });
    expect(s3.mock).not.toHaveReceivedCommand(CreateMultipartUploadCommand);
  });

  it('sends an empty body as an empty object', async () => {
    const s3 = fakeS3();
    await new PartUpload({ s3: s3.client, bucket: 'b', key: 'k', body: Readable.from([]), params: {}, partSizeBytes: PART, queueSize: 1 }).done();
    expect(s3.objects.get('k')).toEqual(Buffer.alloc(0));
  });

  it('sends a larger body in full parts and a smaller last one, and completes them in order', async () => {
    const s3 = fakeS3();
    const body = bytes(3 * PART + 17);
    await new PartUpload({ s3: s3.client, bucket: 'b', key: 'k', body: streamOf(body, 700), params: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'key-1' }, partSizeBytes: PART, queueSize: 2 }).done();
    expect(s3.objects.get('k')).toEqual(body);
    expect(s3.mock.commandCalls(UploadPartCommand).map((c) => [c.args[0].input.PartNumber, c.args[0].input.ContentLength])).toEqual([[1, PART], [2, PART], [3, PART], [4, 17]]);
    expect(s3.mock).toHaveReceivedCommandWith(CreateMultipartUploadCommand, { Key: 'k', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'key-1' });
    const completed = s3.mock.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload?.Parts?.map((p) => p.PartNumber);
    expect(completed).toEqual([1, 2, 3, 4]);
    expect(s3.openUploads()).toEqual([]);
  });

  it('fills the same few part buffers over and over instead of allocating one per part', async () => {
    const s3 = fakeS3();
    await new PartUpload({ s3: s3.client, bucket: 'b', key: 'k', body: streamOf(bytes(10 * PART)), params: {}, partSizeBytes: PART, queueSize: 1 }).done();
    const memories = new Set(s3.mock.commandCalls(UploadPartCommand).map((c) => (c.args[0].input.Body as Buffer).buffer));
    expect(s3.mock.commandCalls(UploadPartCommand)).toHaveLength(10);
    // queueSize 1: one part in flight while the next fills.
    expect(memories.size).toBeLessThanOrEqual(2);
  });

  it('aborts the multipart upload and rejects with S3\'s error when a part fails, and stops reading', async () => {
    const boom = new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'boom' });
    const s3 = fakeS3({ beforeUploadPart: async (input) => { if (input.PartNumber === 2) throw boom; } });
    const body = streamOf(bytes(20 * PART));
    const upload = new PartUpload({ s3: s3.client, bucket: 'b', key: 'k', body, params: {}, partSizeBytes: PART, queueSize: 1 });
    await expect(upload.done()).rejects.toBe(boom);
    expect(s3.mock).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { Key: 'k', UploadId: upload.uploadId });
    expect(s3.mock).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
    expect(s3.mock.commandCalls(UploadPartCommand).length).toBeLessThan(5);
    expect(body.destroyed).toBe(true);
  });

  it('aborts the multipart upload when the body fails, and never completes a truncated object', async () => {
    const s3 = fakeS3();
    const failure = new Error('gzip broke');
    const body = new Readable({ read() {} });
    const upload = new PartUpload({ s3: s3.client, bucket: 'b', key: 'k', body, params: {}, partSizeBytes: PART, queueSize: 1 });
    body.push(bytes(3 * PART));
    await new Promise((r) => setTimeout(r, 20));
    body.destroy(failure);
    await expect(upload.done()).rejects.toBe(failure);
    expect(s3.mock).toHaveReceivedCommand(AbortMultipartUploadCommand);
    expect(s3.mock).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
    expect(s3.mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('abort() stops the upload: no object, the multipart upload aborted', async () => {
    const s3 = fakeS3();
    const body = new Readable({ read() {} });
    const upload = new PartUpload({ s3: s3.client, bucket: 'b', key: 'k', body, params: {}, partSizeBytes: PART, queueSize: 1 });
    body.push(bytes(2 * PART + 1));
    await new Promise((r) => setTimeout(r, 20));
    await upload.abort();
    await expect(upload.done()).rejects.toThrow('upload aborted');
    expect(s3.mock).toHaveReceivedCommand(AbortMultipartUploadCommand);
    expect(s3.objects.has('k')).toBe(false);
  });

  it('rejects sizes that make no sense', () => {
    const s3 = fakeS3();
    expect(() => new PartUpload({ s3: s3.client, bucket: 'b', key: 'k', body: Readable.from([]), params: {}, partSizeBytes: 0, queueSize: 1 })).toThrow(RangeError);
    expect(() => new PartUpload({ s3: s3.client, bucket: 'b', key: 'k', body: Readable.from([]), params: {}, partSizeBytes: PART, queueSize: 0 })).toThrow(RangeError);
  });
});
