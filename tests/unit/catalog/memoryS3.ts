// An in-memory bucket behind aws-sdk-client-mock with the calls the catalog makes: ListObjectsV2 (prefix,
// delimiter, paging of 1,000 like S3), GetObject (streamed body), DeleteObject(s), PutObject. It counts
// requests per command and key, so tests can prove what was (not) read.
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { getObjectOutput } from '../helpers/rangeBody';

export interface StoredObject {
  body: Buffer;
  lastModified: Date;
}

export interface MemoryS3 {
  client: S3Client;
  objects: Map<string, StoredObject>;
  /** Requests per command name. */
  calls: Map<string, number>;
  /** Keys GetObject was asked for, in order. */
  reads: string[];
  put(key: string, body: string | Buffer, lastModified?: Date): void;
}

const PAGE = 1000;

export function memoryS3(): MemoryS3 {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  const mock = mockClient(client);
  const objects = new Map<string, StoredObject>();
  const calls = new Map<string, number>();
  const reads: string[] = [];
  const count = (name: string): void => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
  };

  mock.on(ListObjectsV2Command).callsFake((input: { Prefix?: string; Delimiter?: string; ContinuationToken?: string; MaxKeys?: number }) => {
    count('ListObjectsV2');
    const prefix = input.Prefix ?? '';
    const limit = Math.min(input.MaxKeys ?? PAGE, PAGE);
    // Keys and common prefixes in one sorted stream, as S3 pages them.
    const entries: Array<{ key: string; prefix: boolean }> = [];
    const seen = new Set<string>();
    for (const key of [...objects.keys()].sort()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const cut = input.Delimiter ? rest.indexOf(input.Delimiter) : -1;
      if (cut >= 0) {
        const cp = prefix + rest.slice(0, cut + 1);
        if (!seen.has(cp)) {
          seen.add(cp);
          entries.push({ key: cp, prefix: true });
        }
      } else {
        entries.push({ key, prefix: false });
      }
    }
    const start = input.ContinuationToken ? entries.findIndex((e) => e.key > input.ContinuationToken!) : 0;
    const page = start < 0 ? [] : entries.slice(start, start + limit);
    const truncated = start >= 0 && start + limit < entries.length;
    return {
      Contents: page.filter((e) => !e.prefix).map((e) => ({ Key: e.key, Size: objects.get(e.key)!.body.length, LastModified: objects.get(e.key)!.lastModified })),
      CommonPrefixes: page.filter((e) => e.prefix).map((e) => ({ Prefix: e.key })),
      KeyCount: page.length,
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: page.at(-1)!.key } : {}),
    };
  });

  mock.on(GetObjectCommand).callsFake((input: { Key?: string; Range?: string }) => {
    count('GetObject');
    reads.push(input.Key ?? '');
    const found = objects.get(input.Key ?? '');
    if (!found) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return getObjectOutput(found.body, input.Range);
  });

  mock.on(PutObjectCommand).callsFake((input: { Key?: string; Body?: unknown }) => {
    count('PutObject');
    const body = typeof input.Body === 'string' ? Buffer.from(input.Body) : Buffer.isBuffer(input.Body) ? input.Body : Buffer.alloc(0);
    objects.set(input.Key ?? '', { body, lastModified: new Date() });
    return {};
  });

  mock.on(DeleteObjectCommand).callsFake((input: { Key?: string }) => {
    count('DeleteObject');
    objects.delete(input.Key ?? '');
    return {};
  });

  mock.on(DeleteObjectsCommand).callsFake((input: { Delete?: { Objects?: Array<{ Key?: string }> } }) => {
    count('DeleteObjects');
    const deleted = (input.Delete?.Objects ?? []).map((o) => o.Key ?? '');
    for (const key of deleted) objects.delete(key);
    return { Deleted: deleted.map((Key) => ({ Key })) };
  });

  return {
    client, objects, calls, reads,
    put(key, body, lastModified = new Date()) {
      objects.set(key, { body: Buffer.isBuffer(body) ? body : Buffer.from(body), lastModified });
    },
  };
}
