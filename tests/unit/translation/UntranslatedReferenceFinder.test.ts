import { Translator, UntranslatedReferenceFinder, MAX_OBJECTS_PER_REFERENCE, type AwsLocation } from '../../../lib/translation';
import type { FixtureName } from '../dependencies/loadFixture';
import { load, type TranslationFixtureName } from './loadTranslationFixture';

const SOURCE: AwsLocation = { partition: 'aws', account: '111122223333', region: 'us-west-2' };
const TARGET: AwsLocation = { partition: 'aws', account: '777788889999', region: 'us-east-1' };

const RESTORED: Array<[string, TranslationFixtureName | FixtureName]> = [
  ['deployments.apps', 'deployment-orders'],
  ['persistentvolumes', 'pv-ebs-csi'],
  ['persistentvolumes', 'pv-efs-access-point'],
  ['serviceaccounts', 'serviceaccount-irsa'],
  ['configmaps', 'configmap-aws-auth'],
  ['secrets', 'secret-aws'],
];

/** Translates the objects as a restore would, then finds what still points at the source. */
function untranslated(identifierMap: Record<string, string>, source = SOURCE, target = TARGET): Array<{ type: string; id: string; objects: string[] }> {
  const translator = Translator.create({ source, target, identifierMap });
  const finder = new UntranslatedReferenceFinder({ source, target, identifierMapTargets: Object.values(identifierMap) });
  for (const [resource, fixture] of RESTORED) {
    const object = load(fixture);
    translator.translate(resource, object);
    finder.observe(object);
  }
  return finder.references();
}

describe('UntranslatedReferenceFinder', () => {
  it('lists exactly the unmapped volumes and the source-region ARNs, not public images, mapped ids or translated references', () => {
    const references = untranslated({ 'vol-0a1b2c3d4e5f67890': 'vol-0fedcba98765432aa' });
    expect(references).toEqual([
      // The notes annotation ("account 111122223333") and a bucket named after the account (issue 24).
      { type: 'account-id', id: '111122223333', objects: ['Deployment/shop/orders'] },
      {
        type: 'arn:secretsmanager',
        id: 'arn:aws:secretsmanager:us-west-2:111122223333:secret:prod/orders/db-AbCdEf',
        objects: ['Deployment/shop/orders'],
      },
      // In a free-text annotation, which known-fields does not rewrite.
      { type: 'arn:sqs', id: 'arn:aws:sqs:us-west-2:111122223333:orders-dlq', objects: ['Deployment/shop/orders'] },
      // The EBS volume's zone in its node affinity: no zoneMap was given.
      { type: 'availability-zone', id: 'us-west-2b', objects: ['PersistentVolume/pvc-5d2a0c43-8c5e-4a0b-9d4c-6a3e1f0b2c7d'] },
      // Another account's image, but in the failed region.
      { type: 'ecr-repository', id: 'arn:aws:ecr:us-west-2:444455556666:repository/platform/base', objects: ['Deployment/shop/orders'] },
      { type: 'efs-access-point', id: 'fsap-0123456789abcdef0', objects: ['PersistentVolume/efs-pv'] },
      { type: 'efs-file-system', id: 'fs-0123456789abcdef0', objects: ['PersistentVolume/efs-pv'] },
      // "primary in us-west-2" in the free-text notes annotation: a whole token.
      { type: 'region', id: 'us-west-2', objects: ['Deployment/shop/orders'] },
    ]);
  });

  it('lists the unmapped EBS volume when there is no identifierMap entry for it', () => {
    const ids = untranslated({}).map((r) => r.id);
    expect(ids).toContain('vol-0a1b2c3d4e5f67890');
    expect(ids).not.toContain('ghcr.io/acme/tools-111122223333');
  });

  it('lists nothing when source and target are the same', () => {
    expect(untranslated({}, SOURCE, SOURCE)).toEqual([]);
  });

  it('in a region-only restore, lists source-region ARNs but not region-less IAM roles of the same account', () => {
    const target = { ...SOURCE, region: 'us-east-1' };
    const finder = new UntranslatedReferenceFinder({ source: SOURCE, target });
    finder.observe({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'n' },
      data: { role: 'arn:aws:iam::111122223333:role/app', topic: 'arn:aws:sns:us-west-2:111122223333:t', other: 'arn:aws:sns:eu-west-1:111122223333:t' },
    });
    expect(finder.references()).toEqual([{ type: 'arn:sns', id: 'arn:aws:sns:us-west-2:111122223333:t', objects: ['ConfigMap/n/c'] }]);
  });

  it('never reports a Secret\'s values', () => {
    const finder = new UntranslatedReferenceFinder({ source: SOURCE, target: TARGET });
    const secret = load('secret-aws');
    finder.observe(secret);
    expect(finder.references()).toEqual([{ type: 'iam-role', id: 'arn:aws:iam::111122223333:role/orders-writer', objects: ['Secret/shop/orders-aws'] }]);
  });

  it(`keeps ${MAX_OBJECTS_PER_REFERENCE} objects per reference, sorted, and counts the others`, () => {
    const finder = new UntranslatedReferenceFinder({ source: SOURCE, target: TARGET });
    for (let i = 0; i < MAX_OBJECTS_PER_REFERENCE + 3; i++) {
      finder.observe({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `pv-${String(i).padStart(2, '0')}` },
        spec: { csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0a1b2c3d4e5f67890' }, awsElasticBlockStore: { volumeID: 'vol-0a1b2c3d4e5f67890' } },
      });
    }
    const [reference] = finder.references();
    expect(reference?.objects).toHaveLength(MAX_OBJECTS_PER_REFERENCE);
    expect(reference?.objects[0]).toBe('PersistentVolume/pv-00');
    expect(reference?.objectsTruncated).toBe(3);
  });
});
