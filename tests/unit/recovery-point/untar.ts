// Independent of lib/recovery-point's reader: tar-stream extract straight on gunzipped bytes, with headers.
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';

export interface UntarredEntry {
  name: string;
  type: string;
  mode: number;
  mtime: Date;
  body: Buffer;
}

export async function untarGzip(gzipped: Buffer): Promise<UntarredEntry[]> {
  const tar = gunzipSync(gzipped);
  const extractor = extract();
  Readable.from([tar]).pipe(extractor);
  const entries: UntarredEntry[] = [];
  for await (const entry of extractor) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) {
      if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    }
    const { name, type, mode, mtime } = entry.header;
    entries.push({ name, type, mode, mtime, body: Buffer.concat(chunks) });
  }
  return entries;
}

/** Lists a tar.gz with the system's GNU tar, the way an operator would. */
export function listWithSystemTar(gzipped: Buffer): string[] {
  const result = spawnSync('/usr/bin/tar', ['-tzf', '-'], { input: gzipped, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tar -tzf failed (${result.status}): ${result.stderr.toString()}`);
  return result.stdout.toString('utf8').split('\n').filter((line) => line !== '');
}

/** Extracts one member with GNU tar to stdout. */
export function readWithSystemTar(gzipped: Buffer, member: string): Buffer {
  const result = spawnSync('/usr/bin/tar', ['-xzOf', '-', member], { input: gzipped, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tar -xzOf failed (${result.status}): ${result.stderr.toString()}`);
  return result.stdout;
}
