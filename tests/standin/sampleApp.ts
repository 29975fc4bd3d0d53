import type { KubeObject, StandInClient } from './StandInClient';

/**
 * A small but realistic application for the demo and the integration tests: namespaces, deployments with
 * ECR images, services, config maps (one holding an ARN), secrets with known values, a service account
 * with an IRSA role, an ALB ingress, EBS/EFS volumes, a storage class with a KMS key, a CronJob, and a
 * CRD whose custom resources carry fields no schema declares.
 */
export const SAMPLE_ACCOUNT = '123456789012';
export const SAMPLE_SECRET_VALUES = ['s3cr3t-db-password-6f1c', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'];
export const SAMPLE_IRSA_ROLE = `arn:aws:iam::${SAMPLE_ACCOUNT}:role/shop-orders-irsa`;
export const SAMPLE_ECR_IMAGE = `${SAMPLE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop/orders:1.4.2`;
export const SAMPLE_CERT_ARN = `arn:aws:acm:us-east-1:${SAMPLE_ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
export const SAMPLE_TOPIC_ARN = `arn:aws:sns:us-east-1:${SAMPLE_ACCOUNT}:order-events`;
export const SAMPLE_QUEUE_URL = `https://sqs.us-east-1.amazonaws.com/${SAMPLE_ACCOUNT}/orders`;
export const SAMPLE_EBS_VOLUME = 'vol-0a1b2c3d4e5f67890';
export const SAMPLE_KMS_KEY = `arn:aws:kms:us-east-1:${SAMPLE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

export interface SeededObject {
  /** Velero-style resource name, e.g. `deployments.apps`. */
  resource: string;
  /** API path of the collection (for reading the object back). */
  collection: string;
  namespace?: string;
  name: string;
}

const podTemplate = (app: string, image: string, sa?: string) => ({
  metadata: { labels: { app } },
  spec: {
    ...(sa ? { serviceAccountName: sa } : {}),
    initContainers: [{ name: 'migrate', image: `${SAMPLE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop/migrations:7` }],
    containers: [{ name: app, image, env: [{ name: 'ORDER_TOPIC', value: SAMPLE_TOPIC_ARN }], ports: [{ containerPort: 8080 }] }],
  },
});

export async function seedSampleApp(c: StandInClient, ns = 'shop'): Promise<SeededObject[]> {
  const seeded: SeededObject[] = [];
  const put = async (resource: string, collection: string, obj: KubeObject) => {
    await c.apply(collection, obj);
    seeded.push({ resource, collection, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) });
  };
  await put('namespaces', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: 'shop' } } });
  const nsPath = (p: string) => p.replace('{ns}', ns);

  await put('serviceaccounts', nsPath('/api/v1/namespaces/{ns}/serviceaccounts'), {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: 'orders', namespace: ns, annotations: { 'eks.amazonaws.com/role-arn': SAMPLE_IRSA_ROLE } },
  });
  await put('deployments.apps', nsPath('/apis/apps/v1/namespaces/{ns}/deployments'), {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders', namespace: ns },
    spec: { replicas: 2, selector: { matchLabels: { app: 'orders' } }, template: podTemplate('orders', SAMPLE_ECR_IMAGE, 'orders') },
  });
  await put('deployments.apps', nsPath('/apis/apps/v1/namespaces/{ns}/deployments'), {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: podTemplate('web', 'public.ecr.aws/nginx/nginx:1.27') },
  });
  await put('services', nsPath('/api/v1/namespaces/{ns}/services'), {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'orders', namespace: ns, annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' } },
    spec: { selector: { app: 'orders' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  await put('configmaps', nsPath('/api/v1/namespaces/{ns}/configmaps'), {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orders-config', namespace: ns },
    // The queue URL names the source region and account without an ARN: a restore elsewhere lists both (issue 24).
    data: { 'topic.arn': SAMPLE_TOPIC_ARN, 'queue.url': SAMPLE_QUEUE_URL, 'app.properties': 'retries=3\ntimeout=30s\n', '10': 'ten', '2': 'two' },
  });
  await put('secrets', nsPath('/api/v1/namespaces/{ns}/secrets'), {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'orders-db', namespace: ns }, type: 'Opaque',
    data: { password: Buffer.from(SAMPLE_SECRET_VALUES[0]!).toString('base64') },
    stringData: { 'stripe-key': SAMPLE_SECRET_VALUES[1]! },
  });
  await put('ingresses.networking.k8s.io', nsPath('/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses'), {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: {
      name: 'shop', namespace: ns,
      annotations: {
        'kubernetes.io/ingress.class': 'alb',
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/certificate-arn': SAMPLE_CERT_ARN,
        'alb.ingress.kubernetes.io/security-groups': 'sg-0123456789abcdef0',
      },
    },
    spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'orders', port: { number: 80 } } } }] } }] },
  });
  // Created at the version the server prefers (batch/v1beta1 on 1.20, batch/v1 from 1.21; v1beta1 is gone in
  // 1.25): the spec is the same in both.
  const cronJobs = await c.preferredGroupVersion('cronjobs.batch');
  await put('cronjobs.batch', nsPath(`/apis/${cronJobs}/namespaces/{ns}/cronjobs`), {
    apiVersion: cronJobs, kind: 'CronJob', metadata: { name: 'nightly-report', namespace: ns },
    spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'report', image: `${SAMPLE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop/report@sha256:${'a'.repeat(64)}` }] } } } } },
  });
  await put('storageclasses.storage.k8s.io', '/apis/storage.k8s.io/v1/storageclasses', {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: `${ns}-gp3-encrypted` },
    provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3', encrypted: 'true', kmsKeyId: SAMPLE_KMS_KEY },
  });
  await put('persistentvolumes', '/api/v1/persistentvolumes', {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `${ns}-orders-data` },
    spec: { capacity: { storage: '20Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: `${ns}-gp3-encrypted`,
      csi: { driver: 'ebs.csi.aws.com', volumeHandle: SAMPLE_EBS_VOLUME, fsType: 'ext4' } },
  });

  // A CRD whose objects keep fields no schema declares (x-kubernetes-preserve-unknown-fields).
  await put('customresourcedefinitions.apiextensions.k8s.io', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
  await waitForResource(c, '/apis/example.com/v1', 'widgets');
  for (const name of ['blue', 'green']) {
    await put('widgets.example.com', nsPath('/apis/example.com/v1/namespaces/{ns}/widgets'), {
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: ns },
      spec: { size: 3, color: name, undeclaredNested: { deep: [1, 'two', { three: true }], big: 9007199254740991 } },
      topLevelFieldNoSchemaDeclares: { note: 'must survive the backup byte-for-byte', unicode: 'ünïcødé ✓' },
    });
  }
  return seeded;
}

async function waitForResource(c: StandInClient, groupVersionPath: string, plural: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await c.kube('GET', groupVersionPath);
    if (res.status === 200 && res.json<{ resources: Array<{ name: string }> }>().resources.some((r) => r.name === plural)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${plural} never appeared in ${groupVersionPath}`);
}
