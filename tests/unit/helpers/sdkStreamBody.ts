import { Readable } from 'node:stream';

/**
 * What the AWS SDK hands over as a GetObject body in Node: a Readable with the transform helpers mixed in.
 * `stream` defaults to the whole of `bytes`; a test that breaks the body off passes its own.
 */
export function sdkStreamBody(bytes: Buffer, stream: Readable = Readable.from([bytes])) {
  return Object.assign(stream, {
    transformToString: async (encoding?: string) => bytes.toString((encoding ?? 'utf8') as BufferEncoding),
    transformToByteArray: async () => new Uint8Array(bytes),
    transformToWebStream: () => new Blob([bytes]).stream(),
  });
}
