// The restore's spool over a seekable recovery point (1.2): nothing on disk, each type read again by Range.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type GetObjectCommandInput } from '@aws-sdk/client-s3';
import { RecoveryPointIntegrityError, RecoveryPointReader, membersInArchiveOrder, membersOfType, recoveryPointFolder } from '../../../lib/recovery-point';
import { RestoreSpool } from '../../../lib/restore/RestoreSpool';
import { fakeS3, type FakeS3 } from '../recovery-point/fakeS3';
import { writeRecoveryPoint, type RecoveryPointObjectSpec } from '../recovery-point/writeRecoveryPoint';

const BUCKET = 'recovery-bucket';
const FOLDER = recoveryPointFolder('eks/', 'prod', '20261123T200501Z-7f3a');
const ARCHIVE = `${FOLDER}resources.tar.gz`;

const uid = (i: number): string => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;
const OBJECTS: RecoveryPointObjectSpec[] = [
  { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: uid(1) } } },
  { resource: 'services', object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', uid: uid(2) }, spec: { selector: { app: 'web' } } } },
  ...Array.from({ length: 40 }, (_, i): RecoveryPointObjectSpec => ({
    resource: 'configmaps', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'shop', uid: uid(100 + i) }, data: { i: String(i) } },
  })),
];

function archiveRanges(s3: FakeS3): Array<string | undefined> {
  return s3.mock.commandCalls(GetObjectCommand)
    .map((call) => call.args[0].input as GetObjectCommandInput)
    .filter((input) => input.Key === ARCHIVE)
    .map((input) => input.Range);
}

describe('RestoreSpool.fill on a seekable recovery point', () => {
  let parent: string;
  let s3: FakeS3;
  beforeEach(async () => {
    parent = mkdtempSync(join(tmpdir(), 'spool-seekable-'));
    s3 = fakeS3();
    await writeRecoveryPoint(s3, BUCKET, FOLDER, OBJECTS);
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('writes nothing to disk, learns the facts from one ranged read, and reads each type again by its own ranges', async () => {
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const spool = await RestoreSpool.fill(reader, { directory: parent });
    try {
      expect(spool.directory).toBeUndefined();
      expect(readdirSync(parent)).toEqual([]);
      expect(new Map(spool.types().map((t) => [t.resourceName, t.count]))).toEqual(new Map([['namespaces', 1], ['services', 1], ['configmaps', 40]]));
      expect(spool.selectorServices).toEqual(new Set(['shop/web']));
      expect(spool.hasUid(uid(2))).toBe(true);
      expect(spool.hasUid(uid(139))).toBe(true);
      expect(spool.hasUid(uid(999))).toBe(false);
      // The facts pass read every member once (head, the types' members, tail), by Range only.
      const rangeOf = (m: { offset: number; length: number }) => `bytes=${m.offset}-${m.offset + m.length - 1}`;
      const afterFill = archiveRanges(s3);
      expect(afterFill).toEqual(membersInArchiveOrder(reader.index!).map(rangeOf));

      const names: string[] = [];
      for await (const obj of spool.objects('configmaps')) names.push(String((obj.metadata as { name: string }).name));
      // All of them; the type's first ones come from the shared member, after its own.
      expect(names.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `cm-${i}`).sort());
      expect(archiveRanges(s3).slice(afterFill.length)).toEqual(membersOfType(reader.index!, 'configmaps').map(rangeOf));
    } finally {
      spool.dispose();
    }
  });

  it('hands its steps the uids of controllers only, so the facts do not grow with the cluster', async () => {
    const owned: RecoveryPointObjectSpec[] = [
      { resource: 'deployments.apps', object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', uid: uid(3) } } },
      {
        resource: 'replicasets.apps', object: {
          apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: {
            name: 'web-1', namespace: 'shop', uid: uid(4),
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: uid(3), controller: true }, { kind: 'ConfigMap', name: 'cm-1', uid: uid(101) }],
          },
        },
      },
    ];
    const folder = recoveryPointFolder('eks/', 'prod', '20261123T200502Z-0wn5');
    await writeRecoveryPoint(s3, BUCKET, folder, [...OBJECTS, ...owned]);
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, folder);
    const spool = await RestoreSpool.fill(reader, { directory: parent });
    const facts = spool.facts()!;
    // The Deployment a ReplicaSet names as its controller; not the ConfigMap it names without controller: true.
    expect(facts.uids).toHaveLength(1);
    const step = RestoreSpool.fromFacts(reader as Required<Pick<RecoveryPointReader, 'typeObjects'>>, RestoreSpool.indexFacts(JSON.parse(JSON.stringify(facts)) as typeof facts));
    expect(step.hasUid(uid(3))).toBe(true);
    expect(spool.hasUid(uid(101))).toBe(true);
    expect(step.hasUid(uid(101))).toBe(false);
    expect(step.types()).toEqual(spool.types());
    expect(step.selectorServices).toEqual(new Set(['shop/web']));
  });

  it('puts the facts into sets once per index: the steps of one invocation share them, a new read builds them again', async () => {
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const spool = await RestoreSpool.fill(reader, { directory: parent });
    const typeReader = reader as Required<Pick<RecoveryPointReader, 'typeObjects'>>;
    type Facts = NonNullable<ReturnType<RestoreSpool['facts']>>;
    const shared = RestoreSpool.indexFacts(JSON.parse(JSON.stringify(spool.facts())) as Facts);
    const [first, second] = [RestoreSpool.fromFacts(typeReader, shared), RestoreSpool.fromFacts(typeReader, shared)];
    expect(second.selectorServices).toBe(first.selectorServices);
    expect(second.crds).toBe(first.crds);
    expect(second.types()).toEqual(spool.types());
    expect(first.selectorServices).toEqual(spool.selectorServices);
    // Another invocation's read of the facts (a new object): its own sets, with the same answers.
    const again = RestoreSpool.fromFacts(typeReader, RestoreSpool.indexFacts(JSON.parse(JSON.stringify(spool.facts())) as Facts));
    expect(again.selectorServices).not.toBe(first.selectorServices);
    expect(again.selectorServices).toEqual(first.selectorServices);
    let read = 0;
    for await (const obj of second.objects('configmaps')) read += obj.kind === 'ConfigMap' ? 1 : 0;
    expect(read).toBe(40);
  });

  it('reads a type after the restore\'s signal aborted, as a disk spool would: the restore stops reading itself', async () => {
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const controller = new AbortController();
    const spool = await RestoreSpool.fill(reader, { directory: parent, signal: controller.signal });
    controller.abort(new Error('deadline'));
    let read = 0;
    for await (const obj of spool.objects('configmaps')) read += obj.kind === 'ConfigMap' ? 1 : 0;
    expect(read).toBe(40);
  });

  it('refuses a member tampered with after the spool was filled, before any of its objects is handed out', async () => {
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const spool = await RestoreSpool.fill(reader, { directory: parent });
    const member = reader.index!.types.find((t) => t.name === 'configmaps')!.members[0]!;
    s3.objects.get(ARCHIVE)![member.offset + 40]! ^= 0x10;
    const names: string[] = [];
    const err = await (async () => {
      for await (const obj of spool.objects('configmaps')) names.push(String((obj.metadata as { name: string }).name));
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecoveryPointIntegrityError);
    expect(names).toEqual([]);
  });

  it('fails to fill (before any write to the cluster) when a member is tampered with', async () => {
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const member = reader.index!.types.find((t) => t.name === 'services')!.members[0]!;
    s3.objects.get(ARCHIVE)![member.offset + 20]! ^= 0x10;
    await expect(RestoreSpool.fill(reader, { directory: parent })).rejects.toBeInstanceOf(RecoveryPointIntegrityError);
    expect(readdirSync(parent)).toEqual([]);
  });
});
