import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { ENCRYPTION_CONTEXT_KEY, SecretEnvelope, SecretKeyError, regionOfArn } from '../../../lib/secrets';
import { KEY_ARN, fakeKms } from './fakeKms';

const PATH = 'resources/secrets/namespaces/shop/db.json';
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, data: { password: 'aHVudGVyMg==' } };

describe('SecretEnvelope', () => {
  it('makes one AES_256 data key bound to the recovery point, and records its ARN and encrypted copy for the manifest', async () => {
    const kms = fakeKms();
    const envelope = await SecretEnvelope.create(kms.client, 'alias/secrets', 'prod/20261123T200501Z-7f3a');
    expect(kms.mock.commandCalls(GenerateDataKeyCommand).map((c) => c.args[0].input)).toEqual([
      { KeyId: 'alias/secrets', KeySpec: 'AES_256', EncryptionContext: { [ENCRYPTION_CONTEXT_KEY]: 'prod/20261123T200501Z-7f3a' } },
    ]);
    expect(envelope.manifestEntry).toEqual({
      encryption: 'kms-envelope-aes-256-gcm', valueFormat: 'enc:v1:', kmsKeyId: KEY_ARN,
      encryptedDataKey: expect.any(String), encryptionContext: { [ENCRYPTION_CONTEXT_KEY]: 'prod/20261123T200501Z-7f3a' },
    });
    expect(JSON.stringify(envelope.manifestEntry)).not.toContain(Buffer.from(kms.handedOut[0]!).toString('base64'));
  });

  it('opens what it sealed with the key Decrypt gives back, naming the key and the context', async () => {
    const kms = fakeKms();
    const sealing = await SecretEnvelope.create(kms.client, KEY_ARN, 'prod/rp1');
    const sealed = sealing.cipher.sealObject(PATH, secret);
    sealing.dispose();
    const opening = await SecretEnvelope.open(() => kms.client, sealing.manifestEntry);
    expect(opening.cipher.openObject(PATH, sealed)).toEqual(secret);
    expect(kms.mock.commandCalls(DecryptCommand)[0]!.args[0].input).toMatchObject({ KeyId: KEY_ARN, EncryptionContext: { [ENCRYPTION_CONTEXT_KEY]: 'prod/rp1' } });
  });

  it('asks KMS in the key\'s own region', async () => {
    const kms = fakeKms();
    const sealing = await SecretEnvelope.create(kms.client, KEY_ARN, 'prod/rp1');
    const regions: Array<string | undefined> = [];
    await SecretEnvelope.open((r) => { regions.push(r); return kms.client; }, sealing.manifestEntry);
    expect(regions).toEqual(['us-east-1']);
    expect(regionOfArn('alias/secrets')).toBeUndefined();
  });

  it('zeroes the data key (the SDK\'s own copy too) on dispose', async () => {
    const kms = fakeKms();
    const envelope = await SecretEnvelope.create(kms.client, KEY_ARN, 'prod/rp1');
    const opened = await SecretEnvelope.open(() => kms.client, envelope.manifestEntry);
    expect(kms.handedOut.every((k) => k.some((b) => b !== 0))).toBe(true);
    envelope.dispose();
    opened.dispose();
    expect(kms.handedOut).toHaveLength(2);
    expect(kms.handedOut.every((k) => k.every((b) => b === 0))).toBe(true);
  });

  it.each([
    ['AccessDeniedException', 'access-denied'],
    ['DisabledException', 'disabled'],
    ['KMSInvalidStateException', 'disabled'],
    ['NotFoundException', 'not-found'],
    ['InvalidCiphertextException', 'invalid-ciphertext'],
    ['ThrottlingException', 'unavailable'],
  ])('names the key, the reason and the KMS code when KMS answers %s', async (code, reason) => {
    const kms = fakeKms();
    const entry = (await SecretEnvelope.create(kms.client, KEY_ARN, 'prod/rp1')).manifestEntry;
    kms.failWith(code);
    const opened = await SecretEnvelope.open(() => kms.client, entry).catch((e: unknown) => e);
    expect(opened).toBeInstanceOf(SecretKeyError);
    expect(opened).toMatchObject({ reason, keyId: KEY_ARN, kmsCode: code });
    expect((opened as Error).message).toContain(KEY_ARN);
    expect((opened as Error).message).toContain(code);
    const created = await SecretEnvelope.create(kms.client, KEY_ARN, 'prod/rp2').catch((e: unknown) => e);
    expect(created).toMatchObject({ reason, keyId: KEY_ARN, kmsCode: code });
  });

  it('refuses a data key moved to another recovery point (the encryption context differs)', async () => {
    const kms = fakeKms();
    const entry = (await SecretEnvelope.create(kms.client, KEY_ARN, 'prod/rp1')).manifestEntry;
    const moved = { ...entry, encryptionContext: { [ENCRYPTION_CONTEXT_KEY]: 'prod/rp2' } };
    await expect(SecretEnvelope.open(() => kms.client, moved)).rejects.toMatchObject({ reason: 'invalid-ciphertext', kmsCode: 'InvalidCiphertextException' });
  });

  it('says when KMS cannot be reached at all, and when no KMS client was given', async () => {
    const kms = fakeKms();
    const entry = (await SecretEnvelope.create(kms.client, KEY_ARN, 'prod/rp1')).manifestEntry;
    kms.mock.on(DecryptCommand).rejects(Object.assign(new Error('getaddrinfo ENOTFOUND kms.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' }));
    await expect(SecretEnvelope.open(() => kms.client, entry)).rejects.toMatchObject({ reason: 'unavailable', kmsCode: 'ENOTFOUND' });
    await expect(SecretEnvelope.open(undefined, entry)).rejects.toMatchObject({ reason: 'no-kms', keyId: KEY_ARN });
    await expect(SecretEnvelope.create(undefined, KEY_ARN, 'prod/rp1')).rejects.toMatchObject({ reason: 'no-kms' });
  });
});
