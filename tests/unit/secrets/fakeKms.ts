// KMS behind aws-sdk-client-mock: GenerateDataKey and Decrypt as KMS does them, with one key. The
// "encrypted" data key is the key's ARN, a digest of the encryption context and the key itself: enough to
// check that Decrypt is asked with the same key and context (as KMS refuses otherwise), without cryptography. Every plaintext handed
// out is kept, so tests can see that it was zeroed.
import { createHash, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

export const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

export interface FakeKms {
  client: KMSClient;
  mock: AwsClientStub<KMSClient>;
  /** Every plaintext data key handed out, as the SDK's own Uint8Array. */
  handedOut: Uint8Array[];
  /** Makes the next calls fail with this KMS error name (e.g. AccessDeniedException). */
  failWith(name: string | undefined): void;
}

export function kmsError(name: string): KMSServiceException {
  return new KMSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: `${name} (test)` });
}

export function fakeKms(region = 'us-east-1'): FakeKms {
  const client = new KMSClient({ region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  const mock = mockClient(client);
  const handedOut: Uint8Array[] = [];
  let failure: string | undefined;
  const contextDigest = (context: unknown): Buffer => createHash('sha256').update(JSON.stringify(context ?? {})).digest();
  const head = (context: unknown): Buffer => Buffer.concat([Buffer.from(KEY_ARN), contextDigest(context)]);

  mock.on(GenerateDataKeyCommand).callsFake(async (input: { KeyId?: string; KeySpec?: string; EncryptionContext?: Record<string, string> }) => {
    if (failure) throw kmsError(failure);
    if (input.KeyId !== KEY_ARN && input.KeyId !== 'alias/secrets') throw kmsError('NotFoundException');
    if (input.KeySpec !== 'AES_256') throw kmsError('ValidationException');
    const plaintext = new Uint8Array(randomBytes(32));
    handedOut.push(plaintext);
    return { KeyId: KEY_ARN, Plaintext: plaintext, CiphertextBlob: Buffer.concat([head(input.EncryptionContext), plaintext]) };
  });
  mock.on(DecryptCommand).callsFake(async (input: { KeyId?: string; CiphertextBlob?: Uint8Array; EncryptionContext?: Record<string, string> }) => {
    if (failure) throw kmsError(failure);
    const blob = Buffer.from(input.CiphertextBlob ?? []);
    if (input.KeyId !== KEY_ARN) throw kmsError('IncorrectKeyException');
    const expected = head(input.EncryptionContext);
    if (!blob.subarray(0, expected.length).equals(expected) || blob.length !== expected.length + 32) throw kmsError('InvalidCiphertextException');
    const plaintext = new Uint8Array(blob.subarray(expected.length));
    handedOut.push(plaintext);
    return { KeyId: KEY_ARN, Plaintext: plaintext };
  });
  return { client, mock, handedOut, failWith: (name) => { failure = name; } };
}
