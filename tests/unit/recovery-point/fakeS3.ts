// An in-memory S3 behind aws-sdk-client-mock: enough of HeadObject, PutObject and the multipart calls for
// PartUpload, keeping every stored byte so tests can gunzip, untar and hash what was "uploaded".
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type UploadPartCommandInput,
} from '@aws-sdk/client-s3';
import { getObjectOutput } from '../helpers/rangeBody';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

export interface FakeS3Hooks {
  /** Runs before an UploadPart is stored: delay it (slow S3) or throw (failing S3). */
  beforeUploadPart?: (input: UploadPartCommandInput) => Promise<void>;
}

export interface FakeS3 {
  client: S3Client;
  mock: AwsClientStub<S3Client>;
  objects: Map<string, Buffer>;
  /** Bytes of parts S3 has acknowledged, across all uploads. */
  acknowledgedPartBytes(): number;
  /** Multipart uploads that were neither completed nor aborted. */
  openUploads(): string[];
}

export function fakeS3(hooks: FakeS3Hooks = {}): FakeS3 {
  const client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  const mock = mockClient(client);
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, { key: string; parts: Map<number, Buffer> }>();
  let acknowledged = 0;
  let nextUploadId = 1;

  mock.on(HeadObjectCommand).callsFake(async (input: { Key?: string }) => {
    const body = objects.get(input.Key ?? '');
    if (body === undefined) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    return { ContentLength: body.length };
  });
  mock.on(PutObjectCommand).callsFake(async (input: { Key?: string; Body?: unknown; IfNoneMatch?: string }) => {
    const key = input.Key ?? '';
    if (input.IfNoneMatch === '*' && objects.has(key)) {
      throw new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      });
    }
    objects.set(key, toBuffer(input.Body));
    return { ETag: '"put"' };
  });
  mock.on(CreateMultipartUploadCommand).callsFake(async (input: { Key?: string }) => {
    const uploadId = `upload-${nextUploadId++}`;
    uploads.set(uploadId, { key: input.Key ?? '', parts: new Map() });
    return { UploadId: uploadId, Key: input.Key };
  });
  mock.on(UploadPartCommand).callsFake(async (input: UploadPartCommandInput) => {
    await hooks.beforeUploadPart?.(input);
    const upload = uploads.get(input.UploadId ?? '');
    if (upload === undefined) throw new Error(`UploadPart for unknown upload ${input.UploadId}`);
    const body = toBuffer(input.Body);
    upload.parts.set(input.PartNumber ?? 0, Buffer.from(body));
    acknowledged += body.length;
    return { ETag: `"etag-${input.PartNumber}"` };
  });
  mock
    .on(CompleteMultipartUploadCommand)
    .callsFake(async (input: { UploadId?: string; MultipartUpload?: { Parts?: { PartNumber?: number }[] } }) => {
      const upload = uploads.get(input.UploadId ?? '');
      if (upload === undefined) throw new Error(`Complete for unknown upload ${input.UploadId}`);
      const parts = (input.MultipartUpload?.Parts ?? []).map((part) => {
        const data = upload.parts.get(part.PartNumber ?? 0);
        if (data === undefined) throw new Error(`Complete names missing part ${part.PartNumber}`);
        return data;
      });
      objects.set(upload.key, Buffer.concat(parts));
      uploads.delete(input.UploadId ?? '');
      return { Key: upload.key, ETag: '"complete"' };
    });
  mock.on(GetObjectCommand).callsFake(async (input: { Key?: string; Range?: string }) => {
    const body = objects.get(input.Key ?? '');
    if (body === undefined) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return getObjectOutput(body, input.Range);
  });
  mock.on(ListObjectsV2Command).callsFake(async (input: { Prefix?: string }) => {
    const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).sort();
    return { Contents: keys.map((Key) => ({ Key })), KeyCount: keys.length, IsTruncated: false };
  });
  mock.on(AbortMultipartUploadCommand).callsFake(async (input: { UploadId?: string }) => {
    uploads.delete(input.UploadId ?? '');
    return {};
  });

  return {
    client,
    mock,
    objects,
    acknowledgedPartBytes: () => acknowledged,
    openUploads: () => [...uploads.keys()],
  };
}

function toBuffer(body: unknown): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error(`fake S3 cannot store a body of type ${typeof body}`);
}
