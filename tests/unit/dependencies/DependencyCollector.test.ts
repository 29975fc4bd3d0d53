import { DependencyCollector, type AwsDependency } from '../../../lib/dependencies';
import { MAX_WALK_DEPTH } from '../../../lib/dependencies/DependencyCollector';
import { loadFixture, type FixtureName } from './loadFixture';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';

function collect(...names: FixtureName[]): DependencyCollector {
  const collector = new DependencyCollector({ clusterAccount: ACCOUNT, clusterRegion: 'us-west-2' });
  for (const name of names) collector.observe(loadFixture(name));
  return collector;
}

function find(deps: AwsDependency[], type: string, id: string): AwsDependency {
  const dep = deps.find((d) => d.type === type && d.id === id);
  if (!dep) throw new Error(`no ${type} ${id} in ${JSON.stringify(deps.map((d) => `${d.type} ${d.id}`))}`);
  return dep;
}

function ids(deps: AwsDependency[], type: string): string[] {
  return deps.filter((d) => d.type === type).map((d) => d.id);
}

describe('DependencyCollector', () => {
  describe('container images', () => {
    it('records ECR repositories of init containers inside a CronJob job template, with the image as written', () => {
      const deps = collect('cronjob-init-containers').result();
      expect(find(deps, 'ecr-repository', `arn:aws:ecr:us-west-2:${ACCOUNT}:repository/tools/fetcher`)).toEqual({
        type: 'ecr-repository',
        id: `arn:aws:ecr:us-west-2:${ACCOUNT}:repository/tools/fetcher`,
        arn: `arn:aws:ecr:us-west-2:${ACCOUNT}:repository/tools/fetcher`,
        account: ACCOUNT,
        region: 'us-west-2',
        references: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            namespace: 'reports',
            name: 'nightly-report',
            path: 'spec.jobTemplate.spec.template.spec.initContainers[0].image',
            image: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/tools/fetcher:2.3.1`,
          },
        ],
      });
    });

    it('flags a repository in another account and region as cross-account and cross-region', () => {
      const dep = find(collect('cronjob-init-containers').result(), 'ecr-repository', `arn:aws:ecr:eu-west-1:${OTHER_ACCOUNT}:repository/reports`);
      expect(dep).toMatchObject({ account: OTHER_ACCOUNT, region: 'eu-west-1', crossAccount: true, crossRegion: true });
    });

    it('records ephemeral containers as external images and normalizes Docker Hub names', () => {
      const dep = find(collect('pod-ephemeral-container').result(), 'external-image', 'docker.io/library/busybox');
      expect(dep.references).toEqual([
        { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-7d9c6b7f4-x2k8p', path: 'spec.ephemeralContainers[0].image', image: 'busybox:1.36' },
      ]);
      expect(dep.account).toBeUndefined();
    });

    it('finds the pod template of a custom resource (Argo Rollout) and the dual-stack ECR host', () => {
      const dep = find(collect('rollout-argo').result(), 'ecr-repository', `arn:aws:ecr:us-west-2:${ACCOUNT}:repository/argoproj/rollouts-demo`);
      expect(dep.references.map((r) => [r.kind, r.path])).toEqual([['Rollout', 'spec.template.spec.containers[0].image']]);
      expect(dep.crossAccount).toBeUndefined();
      expect(dep.crossRegion).toBeUndefined();
    });

    it('records docker.io, ghcr.io, public.ecr.aws and look-alike hosts as external images, never as repositories', () => {
      const deps = collect('deployment-images').result();
      expect(ids(deps, 'ecr-repository')).toEqual([
        `arn:aws-cn:ecr:cn-north-1:${ACCOUNT}:repository/cn/app`,
        `arn:aws:ecr:us-gov-west-1:${ACCOUNT}:repository/gov/app`,
      ]);
      expect(ids(deps, 'external-image')).toEqual([
        `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.co/x`,
        `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com.evil.io/x`,
        'dkr.ecr.us-east-1.amazonaws.com/x',
        'docker.io/library/nginx',
        'ghcr.io/example/app',
        'public.ecr.aws/eks/aws-load-balancer-controller',
      ]);
      // Tag and digest forms of one repository are one dependency with two references.
      expect(find(deps, 'external-image', 'docker.io/library/nginx').references.map((r) => r.image)).toEqual([
        'nginx:1.25',
        `docker.io/library/nginx@sha256:${'c'.repeat(64)}`,
      ]);
    });

    it('ignores a templated image placeholder', () => {
      const deps = collect('deployment-images').result();
      expect(deps.flatMap((d) => d.references).some((r) => r.path === 'spec.template.spec.containers[9].image')).toBe(false);
    });

    it('records ECR images named outside a pod spec, but not other registries there', () => {
      const collector = new DependencyCollector();
      collector.observe({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'Prometheus',
        metadata: { name: 'k8s', namespace: 'monitoring' },
        spec: { image: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/mirror/prometheus:v2.50.0`, configReloaderImage: 'quay.io/prometheus-operator/prometheus-config-reloader:v0.71.0' },
      });
      expect(collector.result().map((d) => [d.type, d.id, d.references[0]?.path])).toEqual([
        ['ecr-repository', `arn:aws:ecr:us-west-2:${ACCOUNT}:repository/mirror/prometheus`, 'spec.image'],
      ]);
    });
  });

  describe('IAM roles', () => {
    it('records the IRSA role of a service account annotation', () => {
      const deps = collect('serviceaccount-irsa').result();
      expect(deps).toEqual([
        {
          type: 'iam-role',
          id: `arn:aws:iam::${ACCOUNT}:role/AmazonEKSLoadBalancerControllerRole`,
          arn: `arn:aws:iam::${ACCOUNT}:role/AmazonEKSLoadBalancerControllerRole`,
          account: ACCOUNT,
          references: [
            {
              apiVersion: 'v1',
              kind: 'ServiceAccount',
              namespace: 'kube-system',
              name: 'aws-load-balancer-controller',
              path: 'metadata.annotations["eks.amazonaws.com/role-arn"]',
            },
          ],
        },
      ]);
    });

    it('records aws-auth mapRoles per list item, once each, and flags a role of another account', () => {
      const deps = collect('configmap-aws-auth').result();
      const roles = deps.filter((d) => d.type === 'iam-role');
      expect(roles.map((d) => [d.id, d.references.map((r) => r.path), d.crossAccount])).toEqual([
        [`arn:aws:iam::${ACCOUNT}:role/eksctl-prod-nodegroup-ng-1-NodeInstanceRole-1GFKA1037E1XO`, ['data.mapRoles[0].rolearn'], undefined],
        [`arn:aws:iam::${OTHER_ACCOUNT}:role/ops-admin`, ['data.mapRoles[1].rolearn'], true],
      ]);
      // mapUsers is scanned as text: the user is an IAM ARN typed by its service.
      expect(find(deps, 'arn:iam', `arn:aws:iam::${ACCOUNT}:user/alice`).references[0]?.path).toBe('data.mapUsers');
    });

    it('still finds the roles of an aws-auth whose mapRoles is not valid YAML', () => {
      const collector = new DependencyCollector();
      collector.observe({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'aws-auth', namespace: 'kube-system' },
        data: { mapRoles: `- rolearn: arn:aws:iam::${ACCOUNT}:role/node\n  groups: [unclosed\n` },
      });
      expect(collector.result().map((d) => [d.type, d.id, d.references[0]?.path])).toEqual([
        ['iam-role', `arn:aws:iam::${ACCOUNT}:role/node`, 'data.mapRoles'],
      ]);
    });

    it('records Pod Identity roles and target roles against the association', () => {
      const collector = new DependencyCollector({ clusterAccount: ACCOUNT });
      collector.addPodIdentityAssociations([
        {
          associationId: 'a-abcdefghijklmnop1',
          namespace: 'shop',
          serviceAccount: 'orders',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/orders-pod-identity`,
          targetRoleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/orders-data-access`,
        },
        { associationId: 'a-abcdefghijklmnop2', namespace: 'shop', serviceAccount: 'web', roleArn: `arn:aws:iam::${ACCOUNT}:role/orders-pod-identity` },
      ]);
      const deps = collector.result();
      expect(deps.map((d) => [d.id, d.crossAccount, d.references.map((r) => `${r.kind} ${r.namespace}/${r.name} ${r.path}`)])).toEqual([
        [
          `arn:aws:iam::${ACCOUNT}:role/orders-pod-identity`,
          undefined,
          ['PodIdentityAssociation shop/orders roleArn', 'PodIdentityAssociation shop/web roleArn'],
        ],
        [`arn:aws:iam::${OTHER_ACCOUNT}:role/orders-data-access`, true, ['PodIdentityAssociation shop/orders targetRoleArn']],
      ]);
    });
  });

  describe('volumes and keys', () => {
    it('records an EBS CSI volume with the region of its zone', () => {
      const dep = find(collect('pv-ebs-csi').result(), 'ebs-volume', 'vol-0a1b2c3d4e5f67890');
      expect(dep).toMatchObject({ region: 'us-west-2', references: [{ kind: 'PersistentVolume', path: 'spec.csi.volumeHandle' }] });
      expect(dep.references[0]?.namespace).toBeUndefined();
      expect(dep.crossRegion).toBeUndefined();
    });

    it('records an in-tree awsElasticBlockStore volume and flags its zone in another region', () => {
      const dep = find(collect('pv-in-tree-ebs').result(), 'ebs-volume', 'vol-0fedcba9876543210');
      expect(dep).toMatchObject({ region: 'us-east-1', crossRegion: true, references: [{ path: 'spec.awsElasticBlockStore.volumeID' }] });
    });

    it('records the file system and access point of an EFS volume handle', () => {
      const deps = collect('pv-efs-access-point').result();
      expect(deps.map((d) => [d.type, d.id, d.references[0]?.path])).toEqual([
        ['efs-access-point', 'fsap-0123456789abcdef0', 'spec.csi.volumeHandle'],
        ['efs-file-system', 'fs-0123456789abcdef0', 'spec.csi.volumeHandle'],
      ]);
    });

    it('records the KMS key of an encrypted EBS StorageClass once, whether given by ARN or key ID', () => {
      const deps = collect('storageclass-ebs-kms', 'storageclass-ebs-kms-keyid').result();
      expect(deps.map((d) => [d.type, d.id, d.references.map((r) => r.path)])).toEqual([
        ['kms-key', '0987dcba-09fe-87dc-65ba-ab0987654321', ['parameters.kmsKeyId']],
        ['kms-key', `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, ['parameters.kmsKeyId']],
      ]);
    });

    it('records the file system of an EFS StorageClass', () => {
      expect(ids(collect('storageclass-efs').result(), 'efs-file-system')).toEqual(['fs-92107410']);
    });

    it('records the source volume and snapshot of an EBS VolumeSnapshotContent', () => {
      const deps = collect('volumesnapshotcontent-ebs', 'pv-ebs-csi').result();
      expect(find(deps, 'ebs-snapshot', 'snap-0123456789abcdef0').references[0]?.path).toBe('status.snapshotHandle');
      expect(find(deps, 'ebs-volume', 'vol-0a1b2c3d4e5f67890').references.map((r) => r.kind)).toEqual(['VolumeSnapshotContent', 'PersistentVolume']); // sorted by apiVersion: snapshot.storage.k8s.io/v1 < v1
    });

    it('ignores volume handles of other drivers', () => {
      const collector = new DependencyCollector();
      collector.observe({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'fsx' },
        spec: { csi: { driver: 'fsx.csi.aws.com', volumeHandle: 'fs-0123456789abcdef0' } },
      });
      expect(collector.result()).toEqual([]);
    });
  });

  describe('load balancer annotations', () => {
    it('records the certificates, WAF ACL, security groups, subnets and log bucket of an ALB ingress', () => {
      const deps = collect('ingress-alb').result();
      expect(deps.map((d) => `${d.type} ${d.id}`)).toEqual([
        `acm-certificate arn:aws:acm:us-west-2:${ACCOUNT}:certificate/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d`,
        `acm-certificate arn:aws:acm:us-west-2:${ACCOUNT}:certificate/2b3c4d5e-6f7a-8b9c-0d1e-2f3a4b5c6d7e`,
        'ec2-security-group sg-0123456789abcdef0',
        'ec2-security-group sg-0fedcba9876543210',
        'ec2-subnet subnet-0a1b2c3d4e5f67890',
        'ec2-subnet subnet-1a2b3c4d',
        's3-bucket arn:aws:s3:::echoserver-alb-logs',
        `wafv2-web-acl arn:aws:wafv2:us-west-2:${ACCOUNT}:regional/webacl/echoserver-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`,
      ]);
      // Nothing comes from kubectl's last-applied copy (its certificate 99999999-... is stale).
      expect(deps.flatMap((d) => d.references).every((r) => !r.path.includes('last-applied'))).toBe(true);
    });

    it('records the certificate, subnets, Elastic IPs, security group and log bucket of an NLB service', () => {
      const deps = collect('service-nlb').result();
      expect(deps.map((d) => `${d.type} ${d.id}`)).toEqual([
        `acm-certificate arn:aws:acm:us-west-2:${ACCOUNT}:certificate/3c4d5e6f-7a8b-9c0d-1e2f-3a4b5c6d7e8f`,
        'ec2-elastic-ip eipalloc-0123456789abcdef0',
        'ec2-elastic-ip eipalloc-0fedcba9876543210',
        'ec2-security-group sg-0123456789abcdef0',
        'ec2-subnet subnet-0a1b2c3d4e5f67890',
        'ec2-subnet subnet-0b1c2d3e4f5a67890',
        's3-bucket arn:aws:s3:::nlb-logs.example-com',
      ]);
    });

    it('records a WAF Classic regional ACL given by ID', () => {
      expect(ids(collect('ingress-waf-classic').result(), 'waf-regional-web-acl')).toEqual(['0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f']);
    });

    it('builds China-partition bucket ARNs for a cluster in a China region', () => {
      const collector = new DependencyCollector({ clusterRegion: 'cn-north-1' });
      collector.observe({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's', namespace: 'n', annotations: { 'service.beta.kubernetes.io/aws-load-balancer-access-log-s3-bucket-name': 'logs-cn' } },
      });
      expect(collector.result().map((d) => d.id)).toEqual(['arn:aws-cn:s3:::logs-cn']);
    });
  });

  describe('ARNs anywhere', () => {
    it('types ARNs in config map text and env vars by service, and flags another region', () => {
      const deps = collect('configmap-app-config', 'cronjob-init-containers').result();
      expect(find(deps, 'arn:sns', `arn:aws:sns:us-west-2:${ACCOUNT}:order-events`).references[0]?.path).toBe('data["application.yaml"]');
      expect(find(deps, 'arn:sqs', `arn:aws:sqs:us-west-2:${ACCOUNT}:order-queue`).crossRegion).toBeUndefined();
      expect(find(deps, 'arn:sqs', `arn:aws:sqs:eu-central-1:${ACCOUNT}:dlq`).crossRegion).toBe(true);
      expect(find(deps, 's3-bucket', 'arn:aws:s3:::orders-archive').account).toBeUndefined();
      expect(find(deps, 'arn:secretsmanager', `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:prod/reports/db-AbCdEf`).references[0]?.path).toBe(
        'spec.jobTemplate.spec.template.spec.containers[0].env[0].value',
      );
    });

    it('records nothing for malformed, look-alike, wildcard, templated or AWS-owned ARNs', () => {
      const deps = collect('configmap-app-config').result();
      expect(deps.flatMap((d) => d.references).filter((r) => r.path === 'data.malformed')).toEqual([]);
    });

    it('does not scan object keys, only values', () => {
      const collector = new DependencyCollector();
      collector.observe({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'k', namespace: 'n' }, data: { [`arn:aws:sns:us-west-2:${ACCOUNT}:t`]: 'x' } });
      expect(collector.result()).toEqual([]);
    });
  });

  describe('bookkeeping', () => {
    it('keeps at most maxReferencesPerDependency references and counts the rest', () => {
      const collector = new DependencyCollector({ maxReferencesPerDependency: 2 });
      for (let i = 0; i < 5; i++) {
        collector.observe({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'n' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
      }
      const [dep] = collector.result();
      expect(dep?.references.map((r) => r.name)).toEqual(['p0', 'p1']);
      expect(dep?.referencesTruncated).toBe(3);
    });

    it('keeps at most maxDependencies dependencies and counts the dropped ones', () => {
      const collector = new DependencyCollector({ maxDependencies: 2 });
      collector.observe({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'n' },
        spec: { containers: ['a', 'b', 'c', 'a'].map((image) => ({ name: image, image })) },
      });
      expect(collector.result().map((d) => d.id)).toEqual(['docker.io/library/a', 'docker.io/library/b']);
      expect(collector.droppedDependencies).toBe(1);
    });

    it('returns the same order whatever order the objects came in', () => {
      const names: FixtureName[] = ['ingress-alb', 'service-nlb', 'pv-ebs-csi', 'volumesnapshotcontent-ebs', 'configmap-aws-auth', 'deployment-images'];
      const forward = collect(...names).result();
      const backward = collect(...[...names].reverse()).result();
      expect(backward).toEqual(forward);
    });

    it('counts distinct dependencies per type', () => {
      expect(collect('ingress-alb', 'service-nlb').countsByType()).toEqual({
        'acm-certificate': 3,
        'ec2-elastic-ip': 2,
        'ec2-security-group': 2,
        'ec2-subnet': 3,
        's3-bucket': 2,
        'wafv2-web-acl': 1,
      });
    });

    it('walks deeply nested objects without recursion and stops at the depth limit', () => {
      let deep: Record<string, unknown> = { value: `arn:aws:sns:us-west-2:${ACCOUNT}:too-deep` };
      for (let i = 0; i < 10_000; i++) deep = { nested: deep };
      const collector = new DependencyCollector();
      collector.observe({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deep', namespace: 'n' }, data: deep, note: `arn:aws:sns:us-west-2:${ACCOUNT}:shallow` });
      expect(collector.result().map((d) => d.id)).toEqual([`arn:aws:sns:us-west-2:${ACCOUNT}:shallow`]);
    });

    it('quotes keys that are not identifiers in paths', () => {
      const collector = new DependencyCollector();
      collector.observe({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { 'settings.json': `{"q":"arn:aws:sqs:us-west-2:${ACCOUNT}:q"}` } });
      expect(collector.result()[0]?.references[0]?.path).toBe('data["settings.json"]');
    });

    it('gives the same dependencies lazily, afresh on every iteration, as result() does', () => {
      const collector = new DependencyCollector({ clusterAccount: ACCOUNT, clusterRegion: 'us-west-2' });
      for (const name of ['cronjob-init-containers', 'pod-ephemeral-container'] as const) collector.observe(loadFixture(name));
      collector.observe({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'weird', namespace: 'n' }, data: { '\u0000"key': `arn:aws:sqs:us-west-2:${ACCOUNT}:q` } });
      const lazy = collector.dependencies();
      expect([...lazy]).toEqual(collector.result());
      expect([...lazy]).toEqual(collector.result());
      expect(collector.result().length).toBeGreaterThan(2);
      expect(collector.result().find((d) => d.id.endsWith(':q'))?.references[0]).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'n', name: 'weird', path: 'data["\\u0000\\"key"]' });
    });
  });

  describe('walk depth', () => {
    const topic = 'arn:aws:sns:us-west-2:111122223333:deep';
    /** A config map whose ARN sits in a record nested so that the record is at `depth` (data is at 1). */
    const nested = (depth: number): Record<string, unknown> => {
      let value: Record<string, unknown> = { topic };
      for (let d = depth; d > 1; d--) value = { a: value };
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deep', namespace: 'n' }, data: value };
    };
    const found = (obj: Record<string, unknown>) => {
      const collector = new DependencyCollector();
      collector.observe(obj);
      return collector.result().map((d) => d.references[0]?.path.split('.').length);
    };

    it(`walks records up to depth ${MAX_WALK_DEPTH - 1} and no deeper`, () => {
      expect(found(nested(MAX_WALK_DEPTH - 1))).toEqual([MAX_WALK_DEPTH]);
      expect(found(nested(MAX_WALK_DEPTH))).toEqual([]);
    });

    it('survives nesting far deeper than the walk goes', () => {
      expect(found(nested(100_000))).toEqual([]);
    });
  });
});
