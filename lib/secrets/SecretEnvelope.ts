// Envelope encryption of a recovery point's Secrets (README "Secrets"): one KMS data key per recovery point
// (GenerateDataKey, AES_256), kept in memory only and zeroed when the run ends; KMS's encrypted copy of it
// goes in the manifest, and a reader gets the key back with one Decrypt.
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DATA_KEY_BYTES, SEALED_VALUE_PREFIX, SecretCipher } from './SecretCipher';
import { SecretKeyError, type SecretKeyFailureReason } from './errors';

/** The manifest's `secrets` field: how the Secrets of the archive are sealed, and the key to open them. */
export interface SecretsManifestEntry {
  /** Always `kms-envelope-aes-256-gcm`. */
  encryption: typeof ENCRYPTION_SCHEME;
  /** Prefix of every sealed value, `enc:v1:`. */
  valueFormat: string;
  /** The KMS key's ARN, as KMS named it when it made the data key. */
  kmsKeyId: string;
  /** The data key as KMS encrypted it (base64 CiphertextBlob). */
  encryptedDataKey: string;
  /** The KMS encryption context the data key is bound to. */
  encryptionContext: Record<string, string>;
}

/** Picks the KMS client for a region (a key is used in its own region; undefined: the delegate's). */
export type KmsClientFor = (region: string | undefined) => KMSClient;

export const ENCRYPTION_SCHEME = 'kms-envelope-aes-256-gcm';
/** The encryption context's one key; its value is `<cluster>/<recoveryPointId>`. */
export const ENCRYPTION_CONTEXT_KEY = 'eks-delegate:recovery-point';

/** One recovery point's data key: the cipher that uses it and what the manifest records about it. */
export class SecretEnvelope {
  readonly cipher: SecretCipher;
  readonly manifestEntry: SecretsManifestEntry;

  private constructor(cipher: SecretCipher, manifestEntry: SecretsManifestEntry) {
    this.cipher = cipher;
    this.manifestEntry = manifestEntry;
  }

  /**
   * A new data key for one recovery point (kms:GenerateDataKey). Throws SecretKeyError naming the key and
   * KMS's error code when the key cannot be used.
   */
  static async create(kms: KMSClient | undefined, keyId: string, recoveryPoint: string, options: { signal?: AbortSignal } = {}): Promise<SecretEnvelope> {
    if (!kms) throw new SecretKeyError('no-kms', keyId, undefined, 'make a data key: no KMS client was given');
    const encryptionContext = { [ENCRYPTION_CONTEXT_KEY]: recoveryPoint };
    let out;
    try {
      out = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: encryptionContext }), { abortSignal: options.signal });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw keyError(err, keyId, 'make a data key (kms:GenerateDataKey)');
    }
    const plaintext = out.Plaintext;
    if (!plaintext || !out.CiphertextBlob) throw new SecretKeyError('error', keyId, undefined, 'make a data key: KMS answered without one');
    const key = sharedBuffer(plaintext);
    if (key.length !== DATA_KEY_BYTES) {
      key.fill(0);
      throw new SecretKeyError('error', keyId, undefined, `make a data key: KMS answered ${key.length} bytes, not ${DATA_KEY_BYTES}`);
    }
    return new SecretEnvelope(new SecretCipher(key), {
      encryption: ENCRYPTION_SCHEME,
      valueFormat: SEALED_VALUE_PREFIX,
      kmsKeyId: out.KeyId ?? keyId,
      encryptedDataKey: Buffer.from(out.CiphertextBlob).toString('base64'),
      encryptionContext,
    });
  }

  /**
   * The data key of a recovery point back from KMS (kms:Decrypt, in the key's region, naming the key so
   * KMS refuses a data key of another). Throws SecretKeyError when the key cannot be used.
   */
  static async open(kmsFor: KmsClientFor | undefined, entry: SecretsManifestEntry, options: { signal?: AbortSignal } = {}): Promise<SecretEnvelope> {
    const doing = 'decrypt the recovery point\'s data key (kms:Decrypt)';
    if (!kmsFor) throw new SecretKeyError('no-kms', entry.kmsKeyId, undefined, `${doing}: no KMS client was given to the reader`);
    let out;
    try {
      out = await kmsFor(regionOfArn(entry.kmsKeyId)).send(new DecryptCommand({
        CiphertextBlob: Buffer.from(entry.encryptedDataKey, 'base64'), KeyId: entry.kmsKeyId, EncryptionContext: entry.encryptionContext,
      }), { abortSignal: options.signal });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw keyError(err, entry.kmsKeyId, doing);
    }
    if (!out.Plaintext) throw new SecretKeyError('error', entry.kmsKeyId, undefined, `${doing}: KMS answered without a key`);
    const key = sharedBuffer(out.Plaintext);
    if (key.length !== DATA_KEY_BYTES) {
      key.fill(0);
      throw new SecretKeyError('invalid-ciphertext', entry.kmsKeyId, undefined, `${doing}: the data key is ${key.length} bytes, not ${DATA_KEY_BYTES}`);
    }
    return new SecretEnvelope(new SecretCipher(key), entry);
  }

  /** Zeroes the data key (the SDK's own copy of it: the cipher holds a view of the same memory). */
  dispose(): void {
    this.cipher.dispose();
  }
}

/** `us-east-1` from `arn:aws:kms:us-east-1:111122223333:key/...`; undefined for a bare key id or alias. */
export function regionOfArn(keyId: string): string | undefined {
  const parts = keyId.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && parts[3] ? parts[3] : undefined;
}

/** A Buffer over the same memory as the SDK's Uint8Array, so zeroing one zeroes both. */
function sharedBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const REASONS: Record<string, SecretKeyFailureReason> = {
  AccessDeniedException: 'access-denied',
  DisabledException: 'disabled',
  KMSInvalidStateException: 'disabled',
  NotFoundException: 'not-found',
  InvalidCiphertextException: 'invalid-ciphertext',
  IncorrectKeyException: 'invalid-ciphertext',
  InvalidKeyUsageException: 'invalid-ciphertext',
  KMSInternalException: 'unavailable',
  DependencyTimeoutException: 'unavailable',
  ThrottlingException: 'unavailable',
};

function keyError(err: unknown, keyId: string, doing: string): SecretKeyError {
  const e = err as { name?: unknown; $metadata?: unknown } | null;
  const code = typeof e?.name === 'string' && e.$metadata !== undefined ? e.name : undefined;
  // No $metadata: KMS never answered (DNS, TCP, TLS): unavailable, with the network error's own code.
  const reason = code === undefined ? 'unavailable' : REASONS[code] ?? 'error';
  const networkCode = code ?? (typeof (err as { code?: unknown } | null)?.code === 'string' ? (err as { code: string }).code : undefined);
  return new SecretKeyError(reason, keyId, networkCode, doing, { cause: err });
}
