import { countRewrites, TranslationConfigError, Translator, UntranslatedReferenceFinder, type AwsLocation, type TranslatorOptions } from '../../../lib/translation';

const SOURCE: AwsLocation = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
const TARGET: AwsLocation = { partition: 'aws', account: '444455556666', region: 'us-west-2' };
const NAMES = { sourceClusterName: 'prod', targetClusterName: 'prod-dr' };

function translate(resource: string, object: Record<string, unknown>, options: Partial<TranslatorOptions> = {}): Array<[string, string, string, string]> {
  const rewrites = Translator.create({ source: SOURCE, target: TARGET, ...NAMES, ...options }).translate(resource, object);
  return rewrites.map((r) => [r.path, r.kind, r.from, r.to]);
}

const container = (extra: Record<string, unknown>) => ({ spec: { template: { spec: { containers: [{ name: 'c', image: 'public.ecr.aws/x/y:1', ...extra }] } } } });
const zoneTerm = (key: string, values: string[]) => ({ matchExpressions: [{ key, operator: 'In', values }] });
const C = 'spec.template.spec.containers[0]';

describe('region, zone and cluster-name fields (issue 24)', () => {
  it.each<[string, string, Record<string, unknown>, Partial<TranslatorOptions>, Array<[string, string, string, string]>]>([
    ['an ESO SecretStore region follows the recovery region', 'secretstores.external-secrets.io',
      { apiVersion: 'external-secrets.io/v1beta1', kind: 'SecretStore', spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } } }, {},
      [['spec.provider.aws.region', 'region', 'us-east-1', 'us-west-2']]],
    ['a ClusterSecretStore region follows regionMap\'s entry for the source region', 'clustersecretstores.external-secrets.io',
      { apiVersion: 'external-secrets.io/v1beta1', kind: 'ClusterSecretStore', spec: { provider: { aws: { region: 'us-east-1' } } } }, { regionMap: { 'us-east-1': 'us-east-2' } },
      [['spec.provider.aws.region', 'region', 'us-east-1', 'us-east-2']]],
    ['an ECRAuthorizationToken generator region', 'ecrauthorizationtokens.generators.external-secrets.io',
      { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ECRAuthorizationToken', spec: { region: 'us-east-1' } }, {},
      [['spec.region', 'region', 'us-east-1', 'us-west-2']]],
    ['a third region in a region field stays (it is not the failed one)', 'secretstores.external-secrets.io',
      { apiVersion: 'external-secrets.io/v1beta1', kind: 'SecretStore', spec: { provider: { aws: { region: 'eu-west-1' } } } }, {}, []],
    ['a `region` field of an unrelated kind stays', 'widgets.example.com',
      { apiVersion: 'example.com/v1', kind: 'Widget', spec: { region: 'us-east-1' } }, {}, []],
    ['Karpenter discovery tags in every selector term', 'ec2nodeclasses.karpenter.k8s.aws',
      { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', spec: {
        subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'prod' } }], securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'prod' } }],
      } }, {},
      [['spec.subnetSelectorTerms[0].tags["karpenter.sh/discovery"]', 'cluster-name', 'prod', 'prod-dr'],
        ['spec.securityGroupSelectorTerms[0].tags["karpenter.sh/discovery"]', 'cluster-name', 'prod', 'prod-dr']]],
    ['the Load Balancer Controller\'s --cluster-name and --aws-region args', 'deployments.apps',
      { apiVersion: 'apps/v1', kind: 'Deployment', ...container({ args: ['--cluster-name=prod', '--ingress-class=alb', '--aws-region=us-east-1', '--cluster-name=other'] }) }, {},
      [[`${C}.args[0]`, 'cluster-name', 'prod', 'prod-dr'], [`${C}.args[2]`, 'region', 'us-east-1', 'us-west-2']]],
    ['flags given as two args', 'deployments.apps',
      { apiVersion: 'apps/v1', kind: 'Deployment', ...container({ args: ['--cluster-name', 'prod', '--region', 'us-east-1', 'us-east-1', '--zone', 'us-east-1a'] }) }, {},
      [[`${C}.args[1]`, 'cluster-name', 'prod', 'prod-dr'], [`${C}.args[3]`, 'region', 'us-east-1', 'us-west-2']]],
    ['Karpenter\'s CLUSTER_NAME and the SDK\'s AWS_DEFAULT_REGION env', 'deployments.apps',
      { apiVersion: 'apps/v1', kind: 'Deployment', ...container({ env: [{ name: 'CLUSTER_NAME', value: 'prod' }, { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' }, { name: 'OTHER', value: 'prod' }] }) }, {},
      [[`${C}.env[0].value`, 'cluster-name', 'prod', 'prod-dr'], [`${C}.env[1].value`, 'region', 'us-east-1', 'us-west-2']]],
    ['Helm-style clusterName values', 'helmreleases.helm.toolkit.fluxcd.io',
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', spec: { values: { clusterName: 'prod', settings: { clusterName: 'prod' } } } }, {},
      [['spec.values.clusterName', 'cluster-name', 'prod', 'prod-dr'], ['spec.values.settings.clusterName', 'cluster-name', 'prod', 'prod-dr']]],
    ['PV node affinity zones through zoneMap, region label to the recovery region', 'persistentvolumes',
      { apiVersion: 'v1', kind: 'PersistentVolume', spec: { nodeAffinity: { required: { nodeSelectorTerms: [
        zoneTerm('topology.ebs.csi.aws.com/zone', ['us-east-1a', 'us-east-1c']), zoneTerm('topology.kubernetes.io/region', ['us-east-1']),
      ] } } } }, { zoneMap: { 'us-east-1a': 'us-west-2a' } },
      [['spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]', 'zone', 'us-east-1a', 'us-west-2a'],
        ['spec.nodeAffinity.required.nodeSelectorTerms[1].matchExpressions[0].values[0]', 'region', 'us-east-1', 'us-west-2']]],
    ['StorageClass allowedTopologies', 'storageclasses.storage.k8s.io',
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', provisioner: 'ebs.csi.aws.com',
        allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['us-east-1b'] }] }] }, { zoneMap: { 'us-east-1b': 'us-west-2b' } },
      [['allowedTopologies[0].matchLabelExpressions[0].values[0]', 'zone', 'us-east-1b', 'us-west-2b']]],
    ['a nodeSelector zone and the in-tree volume id\'s zone', 'pods',
      { apiVersion: 'v1', kind: 'Pod', spec: { nodeSelector: { 'failure-domain.beta.kubernetes.io/zone': 'us-east-1a' }, containers: [],
        volumes: [{ name: 'v', awsElasticBlockStore: { volumeID: 'aws://us-east-1a/vol-0123456789abcdef0' } }] } }, { zoneMap: { 'us-east-1a': 'us-west-2a' } },
      [['spec.nodeSelector["failure-domain.beta.kubernetes.io/zone"]', 'zone', 'us-east-1a', 'us-west-2a'],
        ['spec.volumes[0].awsElasticBlockStore.volumeID', 'zone', 'us-east-1a', 'us-west-2a']]],
    ['no zone is guessed without zoneMap', 'persistentvolumes',
      { apiVersion: 'v1', kind: 'PersistentVolume', spec: { nodeAffinity: { required: { nodeSelectorTerms: [zoneTerm('topology.kubernetes.io/zone', ['us-east-1a'])] } } } }, {}, []],
    ['regionMap in a known field, as a whole token, never inside an ARN', 'deployments.apps',
      { apiVersion: 'apps/v1', kind: 'Deployment', ...container({ env: [{ name: 'QUEUE', value: 'https://sqs.us-east-1.amazonaws.com/111122223333/q arn:aws:acm:us-east-1:111122223333:certificate/x us-east-10' }] }) },
      { regionMap: { 'us-east-1': 'us-west-2' } },
      [[`${C}.env[0].value`, 'region', 'us-east-1', 'us-west-2']]],
    ['regionMap leaves a config map alone under known-fields', 'configmaps',
      { apiVersion: 'v1', kind: 'ConfigMap', data: { url: 'https://sqs.us-east-1.amazonaws.com/111122223333/q' } }, { regionMap: { 'us-east-1': 'us-west-2' } }, []],
    ['regionMap and zoneMap reach a config map under everywhere', 'configmaps',
      { apiVersion: 'v1', kind: 'ConfigMap', data: { url: 'https://sqs.us-east-1.amazonaws.com/111122223333/q', zones: 'us-east-1a,us-east-1b' } },
      { regionMap: { 'us-east-1': 'us-west-2' }, zoneMap: { 'us-east-1a': 'us-west-2a' }, mode: 'everywhere' },
      [['data.url', 'region', 'us-east-1', 'us-west-2'], ['data.zones', 'zone', 'us-east-1a', 'us-west-2a']]],
  ])('%s', (_what, resource, object, options, expected) => {
    expect(translate(resource, object, options)).toEqual(expected);
  });

  it('never rewrites a CRD\'s schema, even everywhere', () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x.example.com' },
      spec: { versions: [{ schema: { openAPIV3Schema: { properties: { region: { type: 'string', example: 'us-east-1', default: 'us-east-1' } } } } }] } };
    expect(translate('customresourcedefinitions.apiextensions.k8s.io', crd, { regionMap: { 'us-east-1': 'us-west-2' }, mode: 'everywhere' })).toEqual([]);
  });

  it('counts each kind', () => {
    const rewrites = Translator.create({ source: SOURCE, target: TARGET, ...NAMES, zoneMap: { 'us-east-1a': 'us-west-2a' } }).translate('deployments.apps', {
      apiVersion: 'apps/v1', kind: 'Deployment',
      ...container({ args: ['--cluster-name=prod'], env: [{ name: 'AWS_REGION', value: 'us-east-1' }] }),
    });
    expect(countRewrites(rewrites)).toEqual({ arns: 0, images: 0, identifiers: 0, regions: 1, zones: 0, clusterNames: 1 });
  });

  it('is a no-op only when nothing differs and no map is given', () => {
    expect(Translator.create({ source: SOURCE, target: SOURCE }).isNoop).toBe(true);
    expect(Translator.create({ source: SOURCE, target: SOURCE, sourceClusterName: 'a', targetClusterName: 'b' }).isNoop).toBe(false);
    expect(Translator.create({ source: SOURCE, target: SOURCE, zoneMap: { 'us-east-1a': 'us-east-1b' } }).isNoop).toBe(false);
  });

  it.each<[Partial<TranslatorOptions>, string]>([
    [{ zoneMap: { 'us-east-2a': 'us-west-2a' } }, 'zoneMap["us-east-2a"]: us-east-2a is not a zone of the source region us-east-1'],
    [{ zoneMap: { 'us-east-1a': 'eu-west-1a' } }, 'zoneMap["us-east-1a"]: eu-west-1a is not a zone of the recovery region us-west-2'],
    [{ zoneMap: { 'us-east-1': 'us-west-2a' } }, 'zoneMap["us-east-1"]: "us-east-1" is not an availability zone name (like us-east-1a)'],
    [{ regionMap: { 'us-east-1': 'west' } }, 'regionMap["us-east-1"]: the replacement "west" is not a region name (like us-west-2)'],
  ])('refuses %j', (options, problem) => {
    expect(() => Translator.create({ source: SOURCE, target: TARGET, ...options })).toThrow(TranslationConfigError);
    try {
      Translator.create({ source: SOURCE, target: TARGET, ...options });
    } catch (err) {
      expect((err as TranslationConfigError).problems).toEqual([problem]);
    }
  });
});

describe('what stays is listed (issue 24)', () => {
  function leftAfter(objects: Array<[string, Record<string, unknown>]>, options: Partial<TranslatorOptions> = {}): Array<[string, string, string[]]> {
    const translator = Translator.create({ source: SOURCE, target: TARGET, ...NAMES, ...options });
    const finder = new UntranslatedReferenceFinder({ source: SOURCE, target: TARGET, ...NAMES, identifierMapTargets: Object.values(options.identifierMap ?? {}) });
    for (const [resource, object] of objects) {
      translator.translate(resource, object);
      finder.observe(object);
    }
    return finder.references().map((r) => [r.type, r.id, r.objects]);
  }

  it('lists the unmapped Karpenter ids, the zone without a zoneMap entry, an SQS URL\'s region and account; not what was translated', () => {
    const nodeClass = { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', metadata: { name: 'default' }, spec: {
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'prod' } }, { id: 'subnet-0123456789abcdef0' }, { id: 'subnet-0aaaaaaaaaaaaaaa1' }],
      securityGroupSelectorTerms: [{ id: 'sg-0123456789abcdef0' }],
      blockDeviceMappings: [{ ebs: { kmsKeyID: '1234abcd-12ab-34cd-56ef-1234567890ab' } }],
    } };
    const pv = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'data' }, spec: {
      csi: { driver: 'efs.csi.aws.com', volumeHandle: 'efs:fs-0123456789abcdef0::fsap-0123456789abcdef0' },
      nodeAffinity: { required: { nodeSelectorTerms: [zoneTerm('topology.kubernetes.io/zone', ['us-east-1a', 'us-east-1b'])] } },
    } };
    const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'shop' }, data: { QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/orders' } };
    expect(leftAfter([['ec2nodeclasses.karpenter.k8s.aws', nodeClass], ['persistentvolumes', pv], ['configmaps', config]], {
      identifierMap: { 'subnet-0aaaaaaaaaaaaaaa1': 'subnet-0bbbbbbbbbbbbbbb2', 'fs-0123456789abcdef0': 'fs-0fedcba9876543210' },
      zoneMap: { 'us-east-1a': 'us-west-2a' },
    })).toEqual([
      ['account-id', '111122223333', ['ConfigMap/shop/app']],
      ['availability-zone', 'us-east-1b', ['PersistentVolume/data']],
      ['ec2-security-group', 'sg-0123456789abcdef0', ['EC2NodeClass/default']],
      ['ec2-subnet', 'subnet-0123456789abcdef0', ['EC2NodeClass/default']],
      ['efs-access-point', 'fsap-0123456789abcdef0', ['PersistentVolume/data']],
      ['kms-key', '1234abcd-12ab-34cd-56ef-1234567890ab', ['EC2NodeClass/default']],
      ['region', 'us-east-1', ['ConfigMap/shop/app']],
    ]);
  });

  it('lists the source cluster\'s name where no controller field holds it, and only when the names differ', () => {
    const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prod', namespace: 'prod' }, data: { tag: 'kubernetes.io/cluster/prod', note: 'the prod cluster' } };
    expect(leftAfter([['configmaps', structuredClone(config)]])).toEqual([['cluster-name', 'prod', ['ConfigMap/prod/prod']]]);
    const finder = new UntranslatedReferenceFinder({ source: SOURCE, target: SOURCE, sourceClusterName: 'prod', targetClusterName: 'prod' });
    finder.observe(config);
    expect(finder.references()).toEqual([]);
  });
});
