import type { KubeTransport } from '../kube/types';
import { apiErrorFromResponse } from '../kube/responseBody';
import type { DelegateLogger } from '../observability/DelegateLogger';
import { GITOPS_KINDS, GITOPS_PAUSED_ANNOTATION, GitopsAnnotationError, resumeGitops } from './gitops';
import { objectPath, TargetApi, type TargetEndpoint } from './TargetApi';
import type { RestoreFailure, RestoreStatus } from './types';

/** The versions asked first; TargetApi falls back to the group's preferred version. */
const VERSIONS: Readonly<Record<string, string>> = {
  'applications.argoproj.io': 'v1alpha1',
  'applicationsets.argoproj.io': 'v1alpha1',
  'kustomizations.kustomize.toolkit.fluxcd.io': 'v1',
  'helmreleases.helm.toolkit.fluxcd.io': 'v2',
};

export interface ResumeGitopsOptions {
  dryRun: boolean;
  /** Recovery-cluster namespaces to look in; empty: all. */
  namespaces: readonly string[];
}

export interface ResumeGitopsDependencies {
  kube: KubeTransport;
  logger: DelegateLogger;
  signal?: AbortSignal;
}

/** One applier released (dry run: that would be). */
export interface ResumedObject {
  resource: string;
  namespace?: string;
  name: string;
  /** The fields put back to their recovery-point values. */
  restored: string[];
}

export interface ResumeGitopsOutcome {
  status: RestoreStatus;
  dryRun: boolean;
  resumed: number;
  objects: ResumedObject[];
  failed: number;
  failures: RestoreFailure[];
  warnings: string[];
}

/**
 * Releases what `gitops: pause` held: every Argo CD and Flux applier in the recovery cluster that carries
 * GITOPS_PAUSED_ANNOTATION gets back exactly the recorded fields and loses the annotation. Idempotent: a
 * released object has no annotation, so a second run finds nothing. A write that fails is recorded and the
 * others go on; a type the cluster does not serve is passed over.
 */
export async function runResumeGitops(options: ResumeGitopsOptions, deps: ResumeGitopsDependencies): Promise<ResumeGitopsOutcome> {
  const target = new TargetApi(deps.kube, deps.signal, { dryRun: options.dryRun });
  const objects: ResumedObject[] = [];
  const failures: RestoreFailure[] = [];
  const warnings: string[] = [];
  const namespaces = options.namespaces.length ? options.namespaces : undefined;
  let served = 0;
  for (const [resource, kind] of Object.entries(GITOPS_KINDS)) {
    if (kind.hold.length === 0) continue;
    const dot = resource.indexOf('.');
    const endpoint = await target.resolve({ group: resource.slice(dot + 1), version: VERSIONS[resource] ?? 'v1', resource: resource.slice(0, dot) });
    if (!endpoint) continue;
    served++;
    await target.eachObject(endpoint, namespaces, async (obj) => {
      const meta = obj.metadata as Record<string, unknown> | undefined;
      if (typeof (meta?.annotations as Record<string, unknown> | undefined)?.[GITOPS_PAUSED_ANNOTATION] !== 'string') return;
      const ns = typeof meta?.namespace === 'string' ? meta.namespace : undefined;
      const name = String(meta?.name ?? '');
      const error = await release(target, endpoint, obj);
      if (typeof error === 'string') {
        failures.push({ resource, ...(ns !== undefined ? { namespace: ns } : {}), name, error });
        deps.logger.warn('gitops applier not resumed', { stage: 'resume-gitops', resource, namespace: ns, name, error });
        return;
      }
      objects.push({ resource, ...(ns !== undefined ? { namespace: ns } : {}), name, restored: error });
      deps.logger.info('gitops applier resumed', { stage: 'resume-gitops', resource, namespace: ns, name, dryRun: options.dryRun });
    });
  }
  if (served === 0) warnings.push('the recovery cluster serves none of Argo CD\'s or Flux\'s appliers (their CRDs are not installed): nothing to resume');
  const status: RestoreStatus = failures.length === 0 ? 'COMPLETED' : objects.length > 0 ? 'PARTIAL' : 'FAILED';
  return { status, dryRun: options.dryRun, resumed: objects.length, objects, failed: failures.length, failures, warnings };
}

/**
 * One applier released by a PUT of it as read (its resourceVersion guards against a concurrent change;
 * on a conflict it is read and released again, once). Returns the fields put back, or why it failed.
 */
async function release(target: TargetApi, endpoint: TargetEndpoint, listed: Record<string, unknown>): Promise<string[] | string> {
  const meta = listed.metadata as Record<string, unknown>;
  const ns = endpoint.namespaced && typeof meta.namespace === 'string' ? meta.namespace : undefined;
  const name = String(meta.name);
  const path = objectPath(endpoint, ns, name);
  let obj = listed;
  for (let attempt = 1; ; attempt++) {
    let held;
    try {
      held = resumeGitops(obj);
    } catch (err) {
      if (err instanceof GitopsAnnotationError) return err.message;
      throw err;
    }
    // Released by someone else since the list.
    if (!held) return [];
    const res = await target.replace(endpoint, ns, name, obj);
    if (res.status === 200 || res.status === 201) return held.map((f) => f.path);
    if (res.status !== 409 || attempt > 1) return apiErrorFromResponse(res, path).message;
    const current = await target.get(endpoint, ns, name);
    if (!current) return 'deleted while it was being resumed';
    obj = current;
  }
}
