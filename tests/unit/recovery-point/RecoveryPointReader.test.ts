import {
  ManifestError, RecoveryPointIntegrityError, RecoveryPointNotFoundError,
  RecoveryPointReader, recoveryPointFolder, type RecoveryPointManifest,
} from '../../../lib/recovery-point';

import { fakeS3, type FakeS3 } from './fakeS3';
import { writeRecoveryPoint } from './writeRecoveryPoint';

const BUCKET = 'recovery-bucket';
const ID = '20261123T200501Z-7f3a';
const FOLDER = recoveryPointFolder('eks/', 'prod', ID);
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data: { k: name } });

/** Two ConfigMaps written by the real writer, the manifest then edited by `edit`. */
async function written(edit?: (m: RecoveryPointManifest) => void): Promise<FakeS3> {
  const s3 = fakeS3();
  await writeRecoveryPoint(s3, BUCKET, FOLDER, ['a', 'b'].map((name) => ({ resource: 'configmaps', object: cm(name) })), edit);
  return s3;
}

async function readAll(reader: RecoveryPointReader, onProblem?: (p: string) => void): Promise<string[]> {
  const names: string[] = [];
  for await (const o of reader.objects(onProblem ? { onProblem } : {})) names.push(`${o.namespace}/${o.name}`);
  return names;
}

describe('RecoveryPointReader', () => {
  it('reads back what the writer wrote, objects parsed, digest and counts matching', async () => {
    const s3 = await written();
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    expect(await readAll(reader)).toEqual(['shop/a', 'shop/b']);
    expect(reader.summary).toMatchObject({ objects: 2, sha256: reader.manifest.archive.sha256, counts: new Map([['configmaps', 2]]) });
  });

  it('says a folder without a manifest is incomplete, and a missing one does not exist', async () => {
    const s3 = await written();
    s3.objects.delete(`${FOLDER}manifest.json`);
    await expect(RecoveryPointReader.open(s3.client, BUCKET, FOLDER)).rejects.toThrow(/incomplete/);
    await expect(RecoveryPointReader.open(s3.client, BUCKET, 'eks/prod/nothing/')).rejects.toBeInstanceOf(RecoveryPointNotFoundError);
  });

  it('refuses a manifest of an unknown format or another recovery point', async () => {
    await expect(RecoveryPointReader.open((await written((m) => { m.formatVersion = '2.0.0'; })).client, BUCKET, FOLDER)).rejects.toBeInstanceOf(ManifestError);
    await expect(RecoveryPointReader.open((await written((m) => { m.recoveryPointId = 'other'; })).client, BUCKET, FOLDER)).rejects.toThrow(/does not match its folder/);
  });

  it('throws at the end when the digest or the counts differ from the manifest', async () => {
    const reader = await RecoveryPointReader.open((await written((m) => { m.archive.objects = 3; m.resources[0]!.count = 1; })).client, BUCKET, FOLDER);
    const err = await readAll(reader).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecoveryPointIntegrityError);
    expect((err as RecoveryPointIntegrityError).problems).toEqual([
      'archive holds 2 objects, the manifest says 3',
      'configmaps: archive holds 2 objects, the manifest says 1',
    ]);
  });

  it('reports every problem to onProblem instead of stopping, a flipped byte included', async () => {
    const s3 = await written();
    const archive = s3.objects.get(`${FOLDER}resources.tar.gz`)!;
    archive[archive.length - 12]! ^= 0xff; // inside the gzip trailer's CRC: every entry still reads
    const problems: string[] = [];
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    await readAll(reader, (p) => problems.push(p));
    expect(problems.join('\n')).toMatch(/cannot be read|SHA-256/);
  });
});
