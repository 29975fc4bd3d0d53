import { countRewrites, Translator, type AwsLocation, type Rewrite, type TranslatorOptions } from '../../../lib/translation';
import { load } from './loadTranslationFixture';

const SOURCE: AwsLocation = { partition: 'aws', account: '111122223333', region: 'us-west-2' };
const TARGET: AwsLocation = { partition: 'aws', account: '777788889999', region: 'us-east-1' };

function translator(options: Partial<TranslatorOptions> = {}): Translator {
  return Translator.create({ source: SOURCE, target: TARGET, ...options });
}

/** The value at a JSON path of the form the rewrites report (`a.b[0]["c/d"]`). */
function at(object: unknown, path: string): unknown {
  const keys = [...path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)].map((m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(`"${m[3] ?? ''}"`)));
  let current: unknown = object;
  for (const key of keys) current = (current as Record<string | number, unknown>)[key];
  return current;
}

function byPath(rewrites: Rewrite[]): Record<string, string> {
  return Object.fromEntries(rewrites.map((r) => [r.path, r.to]));
}

function podSpec(containers: Array<Record<string, unknown>>): Record<string, unknown> {
  return { containers };
}

describe('Translator', () => {
  describe('pod templates of every workload kind, found by shape', () => {
    const image = `${SOURCE.account}.dkr.ecr.us-west-2.amazonaws.com/shop/web:1.0`;
    const translated = `${TARGET.account}.dkr.ecr.us-east-1.amazonaws.com/shop/web:1.0`;
    const spec = (): Record<string, unknown> => podSpec([{ name: 'web', image, env: [{ name: 'TOPIC', value: `arn:aws:sns:us-west-2:${SOURCE.account}:t` }] }]);
    it.each([
      ['deployments.apps', 'Deployment', () => ({ template: { spec: spec() } }), 'spec.template.spec.containers[0]'],
      ['statefulsets.apps', 'StatefulSet', () => ({ template: { spec: spec() } }), 'spec.template.spec.containers[0]'],
      ['daemonsets.apps', 'DaemonSet', () => ({ template: { spec: spec() } }), 'spec.template.spec.containers[0]'],
      ['jobs.batch', 'Job', () => ({ template: { spec: spec() } }), 'spec.template.spec.containers[0]'],
      ['cronjobs.batch', 'CronJob', () => ({ jobTemplate: { spec: { template: { spec: spec() } } } }), 'spec.jobTemplate.spec.template.spec.containers[0]'],
      ['pods', 'Pod', () => spec(), 'spec.containers[0]'],
      ['widgets.example.com', 'Widget', () => ({ workers: { podTemplate: { spec: spec() } } }), 'spec.workers.podTemplate.spec.containers[0]'],
    ])('rewrites the image and env of a %s', (resource, kind, makeSpec, container) => {
      const object = { apiVersion: 'v1', kind, metadata: { name: 'x', namespace: 'ns' }, spec: makeSpec() };
      const rewrites = translator().translate(resource, object);
      expect(rewrites).toEqual([
        { path: `${container}.image`, from: image, to: translated, kind: 'image' },
        { path: `${container}.env[0].value`, from: `arn:aws:sns:us-west-2:${SOURCE.account}:t`, to: `arn:aws:sns:us-east-1:${TARGET.account}:t`, kind: 'arn' },
      ]);
      expect(at(object, `${container}.image`)).toBe(translated);
    });

    it('rewrites an Argo Rollout (a custom resource) by its pod template shape, dual-stack host kept', () => {
      const rollout = load('rollout-argo');
      const rewrites = translator().translate('rollouts.argoproj.io', rollout);
      expect(byPath(rewrites)).toEqual({ 'spec.template.spec.containers[0].image': `${TARGET.account}.dkr-ecr.us-east-1.on.aws/argoproj/rollouts-demo:blue` });
    });
  });

  describe('a realistic Deployment under known-fields', () => {
    const object = load('deployment-orders');
    const rewrites = translator().translate('deployments.apps', object);

    it('rewrites images (dual-stack, regular with digest, FIPS), args and env ARNs of customer-named resources, in document order', () => {
      expect(rewrites.map((r) => [r.path, r.kind, r.to])).toEqual([
        ['spec.template.spec.initContainers[0].image', 'image', `${TARGET.account}.dkr-ecr.us-east-1.on.aws/shop/migrate:3.1.0`],
        ['spec.template.spec.initContainers[0].args[0]', 'arn', `arn:aws:kms:us-east-1:${TARGET.account}:alias/orders`],
        // A region flag and AWS_REGION are read by the SDK: they follow the recovery region (issue 24).
        ['spec.template.spec.initContainers[0].args[1]', 'region', 'us-east-1'],
        [
          'spec.template.spec.containers[0].image',
          'image',
          `${TARGET.account}.dkr.ecr.us-east-1.amazonaws.com/shop/orders@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`,
        ],
        ['spec.template.spec.containers[0].args[1]', 'arn', `arn:aws:sns:us-east-1:${TARGET.account}:order-events`],
        ['spec.template.spec.containers[0].env[0].value', 'arn', `arn:aws:sqs:us-east-1:${TARGET.account}:orders`],
        ['spec.template.spec.containers[0].env[1].value', 'arn', `arn:aws:iam::${TARGET.account}:role/orders-writer`],
        ['spec.template.spec.containers[0].env[4].value', 'region', 'us-east-1'],
        ['spec.template.spec.containers[1].image', 'image', `${TARGET.account}.dkr.ecr-fips.us-east-1.amazonaws.com/shop/proxy:1.2`],
      ]);
      expect(countRewrites(rewrites)).toEqual({ arns: 4, images: 3, identifiers: 0, regions: 2, zones: 0, clusterNames: 0 });
    });

    it('keeps the text around an ARN inside an argument, and the flag around a region', () => {
      expect(at(object, 'spec.template.spec.initContainers[0].args[1]')).toBe('--region=us-east-1');
      expect(at(object, 'spec.template.spec.initContainers[0].args[0]')).toBe(`--kms-key=arn:aws:kms:us-east-1:${TARGET.account}:alias/orders`);
    });

    it.each([
      ['another account\'s ECR image', 'spec.template.spec.containers[2].image', '444455556666.dkr.ecr.us-west-2.amazonaws.com/platform/base:2024.1'],
      ['a public image whose name contains the account id', 'spec.template.spec.containers[3].image', 'ghcr.io/acme/tools-111122223333:1.0'],
      ['a Secrets Manager ARN (generated suffix)', 'spec.template.spec.containers[0].env[2].value', 'arn:aws:secretsmanager:us-west-2:111122223333:secret:prod/orders/db-AbCdEf'],
      ['a bare bucket name in env', 'spec.template.spec.containers[0].env[3].value', 'orders-archive-111122223333'],
      ['a description annotation mentioning arn:aws: and an ARN', 'metadata.annotations.description', 'Reads arn:aws: queues of the shop; dead letters go to arn:aws:sqs:us-west-2:111122223333:orders-dlq.'],
      ['a region name in a free-text annotation', 'metadata.annotations["team.example.com/notes"]', 'primary in us-west-2, account 111122223333'],
    ])('leaves %s alone', (_what, path, value) => {
      expect(at(object, path)).toBe(value);
      expect(rewrites.some((r) => r.path === path)).toBe(false);
    });
  });

  describe('everywhere', () => {
    it('rewrites only the well-formed source-account ARN inside prose, and nothing else of the sentence', () => {
      const object = load('deployment-orders');
      const rewrites = translator({ mode: 'everywhere' }).translate('deployments.apps', object);
      expect(at(object, 'metadata.annotations.description')).toBe(
        `Reads arn:aws: queues of the shop; dead letters go to arn:aws:sqs:us-east-1:${TARGET.account}:orders-dlq.`,
      );
      expect(at(object, 'metadata.annotations["team.example.com/notes"]')).toBe('primary in us-west-2, account 111122223333');
      expect(at(object, 'spec.template.spec.containers[0].env[3].value')).toBe('orders-archive-111122223333');
      expect(countRewrites(rewrites)).toEqual({ arns: 5, images: 3, identifiers: 0, regions: 2, zones: 0, clusterNames: 0 });
    });

    it('reaches config map data that known-fields leaves alone', () => {
      const known = load('configmap-app-config');
      expect(translator().translate('configmaps', known)).toEqual([]);
      const everywhere = load('configmap-app-config');
      const rewrites = translator({ mode: 'everywhere' }).translate('configmaps', everywhere);
      expect(rewrites.map((r) => r.to)).toEqual([
        `arn:aws:sns:us-east-1:${TARGET.account}:order-events`,
        `arn:aws:sqs:us-east-1:${TARGET.account}:order-queue`,
        // The account's own queue in a third region keeps its region.
        `arn:aws:sqs:eu-central-1:${TARGET.account}:dlq`,
      ]);
      const malformed = (load('configmap-app-config')['data'] as Record<string, string>)['malformed'];
      expect((everywhere['data'] as Record<string, string>)['malformed']).toBe(malformed);
    });

    it('never reads a Secret\'s data or stringData, but translates its annotations', () => {
      const secret = load('secret-aws');
      const rewrites = translator({ mode: 'everywhere' }).translate('secrets', secret);
      expect(rewrites.map((r) => r.path)).toEqual(['metadata.annotations["eks.amazonaws.com/role-arn"]']);
      expect(secret['stringData']).toEqual({ queue: 'arn:aws:sqs:us-west-2:111122223333:orders' });
    });
  });

  it('mode off rewrites nothing', () => {
    const t = translator({ mode: 'off', identifierMap: { 'vol-0a1b2c3d4e5f67890': 'vol-0fedcba9876543210' } });
    expect(t.isNoop).toBe(true);
    const object = load('deployment-orders');
    expect(t.translate('deployments.apps', object)).toEqual([]);
    expect(object).toEqual(load('deployment-orders'));
  });

  describe('annotations the dependency scanner knows', () => {
    it('rewrites the IRSA role of a service account (region-less IAM ARN: only the account changes)', () => {
      const object = load('serviceaccount-irsa');
      expect(translator().translate('serviceaccounts', object)).toEqual([
        {
          path: 'metadata.annotations["eks.amazonaws.com/role-arn"]',
          from: `arn:aws:iam::${SOURCE.account}:role/AmazonEKSLoadBalancerControllerRole`,
          to: `arn:aws:iam::${TARGET.account}:role/AmazonEKSLoadBalancerControllerRole`,
          kind: 'arn',
        },
      ]);
    });

    it('replaces mapped certificates, security groups and subnets inside ALB annotation lists, and nothing in last-applied', () => {
      const object = load('ingress-alb');
      const newCert = `arn:aws:acm:us-east-1:${TARGET.account}:certificate/9f8e7d6c-5b4a-3c2d-1e0f-a9b8c7d6e5f4`;
      const t = translator({
        identifierMap: {
          'arn:aws:acm:us-west-2:111122223333:certificate/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d': newCert,
          'sg-0123456789abcdef0': 'sg-0aaaaaaaaaaaaaaaa',
          'subnet-1a2b3c4d': 'subnet-0bbbbbbbbbbbbbbbb',
        },
      });
      const lastApplied = at(object, 'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]');
      const rewrites = t.translate('ingresses.networking.k8s.io', object);
      expect(countRewrites(rewrites)).toEqual({ arns: 0, images: 0, identifiers: 3, regions: 0, zones: 0, clusterNames: 0 });
      expect(at(object, 'metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]')).toBe(
        `${newCert},arn:aws:acm:us-west-2:111122223333:certificate/2b3c4d5e-6f7a-8b9c-0d1e-2f3a4b5c6d7e`,
      );
      expect(at(object, 'metadata.annotations["alb.ingress.kubernetes.io/security-groups"]')).toBe('sg-0aaaaaaaaaaaaaaaa, sg-0fedcba9876543210, my-named-sg');
      expect(at(object, 'metadata.annotations["alb.ingress.kubernetes.io/subnets"]')).toBe('subnet-0a1b2c3d4e5f67890,subnet-0bbbbbbbbbbbbbbbb, public-subnet-a');
      // The WAF ACL ARN is generated: without an identifierMap entry it stays.
      expect(at(object, 'metadata.annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"]')).toContain('us-west-2:111122223333');
      expect(at(object, 'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]')).toBe(lastApplied);
    });

    it('replaces a mapped NLB certificate; an unmapped one is never "translated"', () => {
      const mapped = load('service-nlb');
      const newCert = `arn:aws:acm:us-east-1:${TARGET.account}:certificate/00000000-7a8b-9c0d-1e2f-3a4b5c6d7e8f`;
      const t = translator({ identifierMap: { 'arn:aws:acm:us-west-2:111122223333:certificate/3c4d5e6f-7a8b-9c0d-1e2f-3a4b5c6d7e8f': newCert } });
      expect(byPath(t.translate('services', mapped))).toEqual({ 'metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]': newCert });
      expect(translator().translate('services', load('service-nlb'))).toEqual([]);
    });
  });

  describe('storage', () => {
    it.each([
      ['an EBS CSI volume handle', 'pv-ebs-csi', { 'vol-0a1b2c3d4e5f67890': 'vol-0fedcba98765432aa' }, 'spec.csi.volumeHandle', 'vol-0fedcba98765432aa'],
      ['an in-tree EBS volume ID (zone kept)', 'pv-in-tree-ebs', { 'vol-0fedcba9876543210': 'vol-0123456789abcdef0' }, 'spec.awsElasticBlockStore.volumeID', 'aws://us-east-1a/vol-0123456789abcdef0'],
      [
        'an EFS handle with an access point',
        'pv-efs-access-point',
        { 'fs-0123456789abcdef0': 'fs-0aaaaaaaaaaaaaaaa', 'fsap-0123456789abcdef0': 'fsap-0bbbbbbbbbbbbbbbb' },
        'spec.csi.volumeHandle',
        'fs-0aaaaaaaaaaaaaaaa::fsap-0bbbbbbbbbbbbbbbb',
      ],
    ] as const)('replaces %s through identifierMap', (_what, fixture, identifierMap, path, expected) => {
      const object = load(fixture);
      const rewrites = translator({ identifierMap }).translate('persistentvolumes', object);
      expect(at(object, path)).toBe(expected);
      expect(rewrites.every((r) => r.kind === 'identifier' && r.path === path)).toBe(true);
    });

    it('leaves an unmapped volume alone (a translated volume ID would point at nothing)', () => {
      expect(translator().translate('persistentvolumes', load('pv-ebs-csi'))).toEqual([]);
    });

    it.each([
      ['a KMS key ARN through identifierMap', 'storageclass-ebs-kms', {
        'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab': `arn:aws:kms:us-east-1:${TARGET.account}:key/abcd1234-12ab-34cd-56ef-1234567890ab`,
      }, 'parameters.kmsKeyId', `arn:aws:kms:us-east-1:${TARGET.account}:key/abcd1234-12ab-34cd-56ef-1234567890ab`],
      ['a bare KMS key ID through identifierMap', 'storageclass-ebs-kms-keyid', { '0987dcba-09fe-87dc-65ba-ab0987654321': '11111111-2222-3333-4444-555555555555' }, 'parameters.kmsKeyId', '11111111-2222-3333-4444-555555555555'],
      ['an EFS file system ID through identifierMap', 'storageclass-efs', { 'fs-92107410': 'fs-0987dcba' }, 'parameters.fileSystemId', 'fs-0987dcba'],
    ] as const)('replaces %s in StorageClass parameters', (_what, fixture, identifierMap, path, expected) => {
      const object = load(fixture);
      translator({ identifierMap }).translate('storageclasses.storage.k8s.io', object);
      expect(at(object, path)).toBe(expected);
    });

    it('rewrites a KMS alias ARN in StorageClass parameters by account and region', () => {
      const object = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'sc' }, provisioner: 'ebs.csi.aws.com', parameters: { kmsKeyId: `arn:aws:kms:us-west-2:${SOURCE.account}:alias/ebs` } };
      expect(byPath(translator().translate('storageclasses.storage.k8s.io', object))).toEqual({ 'parameters.kmsKeyId': `arn:aws:kms:us-east-1:${TARGET.account}:alias/ebs` });
    });
  });

  describe('aws-auth', () => {
    it('rewrites rolearn and userarn of the source account inside the YAML, other accounts untouched', () => {
      const object = load('configmap-aws-auth');
      const rewrites = translator().translate('configmaps', object);
      expect(rewrites).toEqual([
        {
          path: 'data.mapRoles[0].rolearn',
          from: `arn:aws:iam::${SOURCE.account}:role/eksctl-prod-nodegroup-ng-1-NodeInstanceRole-1GFKA1037E1XO`,
          to: `arn:aws:iam::${TARGET.account}:role/eksctl-prod-nodegroup-ng-1-NodeInstanceRole-1GFKA1037E1XO`,
          kind: 'arn',
        },
        { path: 'data.mapUsers[0].userarn', from: `arn:aws:iam::${SOURCE.account}:user/alice`, to: `arn:aws:iam::${TARGET.account}:user/alice`, kind: 'arn' },
      ]);
      const data = object['data'] as Record<string, string>;
      expect(data['mapRoles']).toContain(`rolearn: arn:aws:iam::${TARGET.account}:role/eksctl-prod`);
      expect(data['mapRoles']).toContain('arn:aws:iam::444455556666:role/ops-admin');
      expect(data['mapRoles']).toContain('username: system:node:{{EC2PrivateDNSName}}');
    });

    it('leaves a ConfigMap of the same name in another namespace to the known-fields rules', () => {
      const object = load('configmap-aws-auth');
      (object['metadata'] as Record<string, unknown>)['namespace'] = 'default';
      expect(translator().translate('configmaps', object)).toEqual([]);
    });
  });

  describe('partitions', () => {
    it.each([
      [
        'aws-cn (China ECR host)',
        { partition: 'aws-cn', account: '111122223333', region: 'cn-north-1' },
        { partition: 'aws-cn', account: '777788889999', region: 'cn-northwest-1' },
        '111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/cn/app:1',
        '777788889999.dkr.ecr.cn-northwest-1.amazonaws.com.cn/cn/app:1',
      ],
      [
        'aws-cn (China dual-stack host)',
        { partition: 'aws-cn', account: '111122223333', region: 'cn-north-1' },
        { partition: 'aws-cn', account: '777788889999', region: 'cn-north-1' },
        '111122223333.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn/cn/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        '777788889999.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn/cn/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      ],
      [
        'aws-us-gov (FIPS host)',
        { partition: 'aws-us-gov', account: '111122223333', region: 'us-gov-west-1' },
        { partition: 'aws-us-gov', account: '777788889999', region: 'us-gov-east-1' },
        '111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/gov/app:1',
        '777788889999.dkr.ecr-fips.us-gov-east-1.amazonaws.com/gov/app:1',
      ],
      [
        'aws to aws-cn (FIPS has no China form)',
        { partition: 'aws', account: '111122223333', region: 'us-east-1' },
        { partition: 'aws-cn', account: '777788889999', region: 'cn-north-1' },
        '111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/app:1',
        '777788889999.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1',
      ],
      [
        'aws, FIPS to a region without FIPS endpoints',
        { partition: 'aws', account: '111122223333', region: 'us-east-1' },
        { partition: 'aws', account: '111122223333', region: 'eu-west-1' },
        '111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/app:1',
        '111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1',
      ],
    ])('%s: images and IAM ARNs of the partition', (_what, source, target, image, expectedImage) => {
      const role = `arn:${source.partition}:iam::${source.account}:role/app`;
      const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a', namespace: 'n' }, spec: { template: { spec: podSpec([{ name: 'a', image, env: [{ name: 'R', value: role }] }]) } } };
      const rewrites = Translator.create({ source, target }).translate('deployments.apps', object);
      expect(byPath(rewrites)).toEqual({
        'spec.template.spec.containers[0].image': expectedImage,
        ...(source.account !== target.account || source.partition !== target.partition
          ? { 'spec.template.spec.containers[0].env[0].value': `arn:${target.partition}:iam::${target.account}:role/app` }
          : {}),
      });
    });

    it('leaves an ARN of the source account in another partition alone', () => {
      const object = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a', namespace: 'n', annotations: { 'eks.amazonaws.com/role-arn': `arn:aws-cn:iam::${SOURCE.account}:role/x` } } };
      expect(translator().translate('serviceaccounts', object)).toEqual([]);
    });
  });

  describe('same account and region', () => {
    const same = (): Translator => Translator.create({ source: SOURCE, target: SOURCE });

    it('is a no-op with an empty identifierMap', () => {
      expect(same().isNoop).toBe(true);
      const object = load('deployment-orders');
      expect(same().translate('deployments.apps', object)).toEqual([]);
      expect(object).toEqual(load('deployment-orders'));
    });

    it('still applies identifierMap entries, and nothing else', () => {
      const t = Translator.create({ source: SOURCE, target: SOURCE, identifierMap: { 'vol-0a1b2c3d4e5f67890': 'vol-0fedcba98765432aa' } });
      expect(t.isNoop).toBe(false);
      expect(t.translate('deployments.apps', load('deployment-orders'))).toEqual([]);
      expect(byPath(t.translate('persistentvolumes', load('pv-ebs-csi')))).toEqual({ 'spec.csi.volumeHandle': 'vol-0fedcba98765432aa' });
    });
  });

  describe('identifierMap in known fields', () => {
    it('replaces a bare ID in env as a whole token only, never inside a longer ID or inside an ARN', () => {
      const t = translator({ identifierMap: { 'vol-0a1b2c3d': 'vol-0e1f2a3b', '0987dcba-09fe-87dc-65ba-ab0987654321': '11111111-2222-3333-4444-555555555555' } });
      const env = [
        { name: 'A', value: 'vol-0a1b2c3d' },
        { name: 'B', value: 'vol-0a1b2c3d4e5f67890' },
        { name: 'C', value: 'xvol-0a1b2c3d' },
        { name: 'D', value: `arn:aws:kms:us-west-2:${SOURCE.account}:key/0987dcba-09fe-87dc-65ba-ab0987654321` },
      ];
      const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: podSpec([{ name: 'a', image: 'busybox', env }]) };
      expect(t.translate('pods', object)).toEqual([{ path: 'spec.containers[0].env[0].value', from: 'vol-0a1b2c3d', to: 'vol-0e1f2a3b', kind: 'identifier' }]);
    });

    it('prefers an identifierMap entry over the account/region rewrite of the same ARN', () => {
      const role = `arn:aws:iam::${SOURCE.account}:role/orders-writer`;
      const renamed = `arn:aws:iam::${TARGET.account}:role/dr-orders-writer`;
      const object = load('deployment-orders');
      const rewrites = translator({ identifierMap: { [role]: renamed } }).translate('deployments.apps', object);
      expect(rewrites.find((r) => r.path === 'spec.template.spec.containers[0].env[1].value')).toEqual({
        path: 'spec.template.spec.containers[0].env[1].value', from: role, to: renamed, kind: 'identifier',
      });
    });
  });
});
