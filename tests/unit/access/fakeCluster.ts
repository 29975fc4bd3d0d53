import type { KubeRequest, KubeResponse, KubeTransport } from '../../../lib/kube/types';
import type { ClusterConnection } from '../../../lib/eks';

/** A small cluster: core configmaps/secrets/pods/namespaces (+ the bindings subresource), apps deployments. */
const DISCOVERY: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'] },
  '/api/v1': {
    kind: 'APIResourceList', groupVersion: 'v1', resources: [
      { name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['get', 'list', 'watch', 'create'] },
      { name: 'secrets', kind: 'Secret', namespaced: true, verbs: ['get', 'list', 'watch', 'create'] },
      { name: 'pods', kind: 'Pod', namespaced: true, verbs: ['get', 'list', 'watch'] },
      { name: 'pods/log', kind: 'Pod', namespaced: true, verbs: ['get'] },
      { name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['get', 'list', 'watch'] },
    ],
  },
  '/apis': {
    kind: 'APIGroupList', groups: [
      { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
    ],
  },
  '/apis/apps/v1': {
    kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [
      { name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['get', 'list', 'watch'] },
    ],
  },
};

export const ALL_RESOURCES = ['configmaps', 'secrets', 'pods', 'namespaces', 'deployments.apps'];

export interface ReviewAttributes {
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  namespace?: string;
}

export interface FakeClusterOptions {
  /** Status answered to every discovery path (401, 403, ...); discovery documents when absent. */
  discoveryStatus?: number;
  /** Decides each SelfSubjectAccessReview: true, false, or an HTTP status to answer instead. */
  review?: (attrs: ReviewAttributes) => boolean | number;
  /** aws-auth as the API server serves it: a mapRoles YAML text, or an HTTP status. */
  awsAuth?: string | number;
  /** Milliseconds each review takes, to hold several in flight. */
  reviewDelayMs?: number;
  /** Extra core types `extra0`..`extraN-1`, for clusters with many types. */
  extraResources?: number;
}

function json(status: number, body: unknown): KubeResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

function statusBody(code: number): unknown {
  const reason = code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : code === 404 ? 'NotFound' : 'InternalError';
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message: reason.toLowerCase(), code };
}

/** An API server stand-in for unit tests: discovery, SelfSubjectAccessReview, aws-auth. Records every request. */
export class FakeCluster implements KubeTransport {
  readonly requests: KubeRequest[] = [];
  readonly reviews: ReviewAttributes[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly opts: FakeClusterOptions = {}) {}

  async request(req: KubeRequest): Promise<KubeResponse> {
    this.requests.push(req);
    if (req.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      if (req.method !== 'POST') throw new Error(`reviews must be POSTed, got ${req.method}`);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        if (this.opts.reviewDelayMs) await new Promise((r) => setTimeout(r, this.opts.reviewDelayMs));
        const body = req.body as { kind?: string; spec?: { resourceAttributes?: ReviewAttributes } };
        if (body.kind !== 'SelfSubjectAccessReview') throw new Error(`not a SelfSubjectAccessReview: ${JSON.stringify(body)}`);
        const attrs = body.spec?.resourceAttributes ?? {};
        this.reviews.push(attrs);
        const verdict = this.opts.review?.(attrs) ?? true;
        if (typeof verdict === 'number') return json(verdict, statusBody(verdict));
        return json(201, {
          kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: body.spec,
          status: verdict ? { allowed: true, reason: 'RBAC: allowed' } : { allowed: false },
        });
      } finally {
        this.inFlight--;
      }
    }
    if (req.path === '/api/v1/namespaces/kube-system/configmaps/aws-auth') {
      const a = this.opts.awsAuth ?? 404;
      if (typeof a === 'number') return json(a, statusBody(a));
      return json(200, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles: a } });
    }
    let doc = DISCOVERY[req.path];
    if (req.path === '/api/v1' && this.opts.extraResources) {
      const core = doc as { resources: unknown[] };
      const extra = Array.from({ length: this.opts.extraResources }, (_, i) => ({ name: `extra${i}`, kind: `Extra${i}`, namespaced: true, verbs: ['list'] }));
      doc = { ...core, resources: [...core.resources, ...extra] };
    }
    if (doc !== undefined) return this.opts.discoveryStatus ? json(this.opts.discoveryStatus, statusBody(this.opts.discoveryStatus)) : json(200, doc);
    return json(404, statusBody(404));
  }
}

export function connection(overrides: Partial<ClusterConnection> = {}): ClusterConnection {
  return {
    name: 'prod', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod', region: 'eu-west-1', account: '111122223333',
    endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', caPem: '', kubernetesVersion: '1.30', platformVersion: 'eks.5',
    authenticationMode: 'API_AND_CONFIG_MAP', endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: [], status: 'ACTIVE',
    ...overrides,
  };
}

export const ROLE_ARN = 'arn:aws:iam::111122223333:role/eks-delegate-role';
export const CALLER_ARN = 'arn:aws:sts::111122223333:assumed-role/eks-delegate-role/eks-delegate-fn';
