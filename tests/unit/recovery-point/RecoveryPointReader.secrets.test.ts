// The reader opens sealed Secrets for every consumer (restore, verify, diff), and refuses before the archive
// is fetched when the key cannot be used.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { RecoveryPointIntegrityError, RecoveryPointReader, objectEntryPath, recoveryPointFolder } from '../../../lib/recovery-point';
import { SecretEnvelope, SecretKeyError, type SecretsManifestEntry } from '../../../lib/secrets';
import { KEY_ARN, fakeKms, type FakeKms } from '../secrets/fakeKms';
import { fakeS3, type FakeS3 } from './fakeS3';
import { writeRecoveryPoint, type RecoveryPointObjectSpec } from './writeRecoveryPoint';

const BUCKET = 'recovery-bucket';
const ID = '20261123T200501Z-7f3a';
const FOLDER = recoveryPointFolder('eks/', 'prod', ID);
const CANARY = 'canary-7c1d0e';
const secret = (name: string, value: string) => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'shop' }, type: 'Opaque',
  data: { password: Buffer.from(value).toString('base64') },
});
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { k: 'v' } };

/** A recovery point whose two Secrets were sealed as the backup seals them; `tamper` edits the sealed objects. */
async function sealedRecoveryPoint(kms: FakeKms, tamper?: (sealed: Map<string, Record<string, unknown>>) => void): Promise<{ s3: FakeS3; entry: SecretsManifestEntry }> {
  const envelope = await SecretEnvelope.create(kms.client, KEY_ARN, `prod/${ID}`);
  const sealed = new Map<string, Record<string, unknown>>();
  for (const s of [secret('a', `${CANARY}-a`), secret('b', `${CANARY}-b`)]) {
    sealed.set(s.metadata.name, envelope.cipher.sealObject(objectEntryPath('secrets', 'shop', s.metadata.name), s));
  }
  envelope.dispose();
  tamper?.(sealed);
  const objects: RecoveryPointObjectSpec[] = [
    { resource: 'configmaps', object: configMap },
    ...[...sealed.values()].map((object) => ({ resource: 'secrets', object: object as RecoveryPointObjectSpec['object'] })),
  ];
  const s3 = fakeS3();
  await writeRecoveryPoint(s3, BUCKET, FOLDER, objects, (m) => { m.secrets = envelope.manifestEntry; });
  return { s3, entry: envelope.manifestEntry };
}

async function readObjects(reader: RecoveryPointReader, onProblem?: (p: string) => void): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for await (const o of reader.objects(onProblem ? { onProblem } : {})) out.push(o.object);
  return out;
}

describe('RecoveryPointReader with sealed Secrets', () => {
  it('hands every consumer the Secrets as backed up, with one Decrypt per read, the key zeroed after', async () => {
    const kms = fakeKms();
    const { s3 } = await sealedRecoveryPoint(kms);
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER, { kmsFor: () => kms.client });
    expect(reader.secretsEncrypted).toBe(true);
    expect(await readObjects(reader)).toEqual([configMap, secret('a', `${CANARY}-a`), secret('b', `${CANARY}-b`)]);
    expect(kms.handedOut).toHaveLength(2); // GenerateDataKey (the backup) and one Decrypt
    expect(kms.handedOut.every((k) => k.every((b) => b === 0))).toBe(true);
  });

  it('fails with the key named before the archive is fetched when the key cannot be used', async () => {
    const kms = fakeKms();
    const { s3 } = await sealedRecoveryPoint(kms);
    kms.failWith('AccessDeniedException');
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER, { kmsFor: () => kms.client });
    const gets = s3.mock.commandCalls(GetObjectCommand).length;
    const err = await readObjects(reader, () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretKeyError);
    expect(err).toMatchObject({ reason: 'access-denied', keyId: KEY_ARN, kmsCode: 'AccessDeniedException' });
    expect(s3.mock.commandCalls(GetObjectCommand)).toHaveLength(gets);
  });

  it('fails the same way when it was given no KMS client', async () => {
    const { s3 } = await sealedRecoveryPoint(fakeKms());
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    await expect(readObjects(reader)).rejects.toMatchObject({ reason: 'no-kms', keyId: KEY_ARN });
  });

  it('reports a sealed value moved to another Secret as a problem of that entry, without any value', async () => {
    const kms = fakeKms();
    const { s3 } = await sealedRecoveryPoint(kms, (sealed) => {
      sealed.get('b')!.data = sealed.get('a')!.data;
    });
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER, { kmsFor: () => kms.client });
    const problems: string[] = [];
    const objects = await readObjects(reader, (p) => problems.push(p));
    expect(objects.map((o) => (o.metadata as { name: string }).name)).toEqual(['cfg', 'a']);
    expect(problems[0]).toBe('archive entry "resources/secrets/namespaces/shop/b.json": Secret value data.password does not open: altered, moved from another object or key, or sealed with another data key');
    expect(problems.join('\n')).not.toContain(CANARY);
    // Without onProblem, the first such value fails the read.
    const strict = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER, { kmsFor: () => kms.client });
    await expect(readObjects(strict)).rejects.toBeInstanceOf(RecoveryPointIntegrityError);
  });

  it('reads a recovery point without sealed Secrets with no KMS call', async () => {
    const kms = fakeKms();
    const s3 = fakeS3();
    await writeRecoveryPoint(s3, BUCKET, FOLDER, [{ resource: 'secrets', object: secret('a', 'plain') }]);
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER, { kmsFor: () => kms.client });
    expect(reader.secretsEncrypted).toBe(false);
    expect(await readObjects(reader)).toEqual([secret('a', 'plain')]);
    expect(kms.mock.calls()).toHaveLength(0);
  });
});
