import { archivableJson, streamListItems, type ArchivableItem } from '../kube/listItems';
import { streamResourceItems } from '../kube/pager';
import { isJsonObject, parseJsonObjectResponse, withBodyRetries, type JsonObject } from '../kube/responseBody';
import { retryAfterMs } from '../kube/KubeClient';
import type { DiscoveredResource, KubeRequest, KubeResponse, KubeTransport } from '../kube/types';
import { CrdNotEstablishedError, TargetThrottledError } from './errors';
import { endpointsHaveReadyAddress, sliceHasReadyEndpoint, type ServiceReadiness } from './webhooks';

/** How long a restored CRD may take to be Established and NamesAccepted. @default 60 s */
export const DEFAULT_CRD_WAIT_MS = 60_000;
/** Between two looks at a CRD's conditions (Velero polls every second). */
const CRD_POLL_MS = 250;

/** Where objects of one type are written in the recovery cluster. */
export type TargetEndpoint = DiscoveredResource;

/** The field manager of every write a restore makes: how a resumed step knows an object as its own. */
export const FIELD_MANAGER = 'eks-delegate';

export interface TargetApiOptions {
  /** Every write sent with `?dryRun=All`: the API server admits and validates, and stores nothing. @default false */
  dryRun?: boolean;
  /**
   * A 429 on create/get/replace handed back (TargetThrottledError) to a caller that paces its writes
   * (restore's AdaptiveLimit), instead of retried a few times by the transport and then failed. @default false
   */
  paced?: boolean;
}

/**
 * What the recovery cluster serves, asked per group version as restore needs it (a restore touches a few
 * dozen types; full discovery of a current cluster is larger than that), refreshed for a group once its
 * CRD has been restored.
 */
export class TargetApi {
  readonly #kube: KubeTransport;
  readonly #signal: AbortSignal | undefined;
  readonly #docs = new Map<string, Promise<JsonObject | undefined>>();
  readonly #writeQuery: Record<string, string>;
  readonly #paced: boolean;

  constructor(kube: KubeTransport, signal?: AbortSignal, options: TargetApiOptions = {}) {
    this.#kube = kube;
    this.#signal = signal;
    this.#writeQuery = { fieldManager: FIELD_MANAGER, ...(options.dryRun ? { dryRun: 'All' } : {}) };
    this.#paced = options.paced ?? false;
  }

  /**
   * POST of one object to its collection, as the restore's field manager (dry run: `?dryRun=All`). The
   * answer is the caller's to read (201, 409, ...); paced, a 429 throws TargetThrottledError.
   */
  create(endpoint: TargetEndpoint, namespace: string | undefined, body: JsonObject): Promise<KubeResponse> {
    return this.#write({ method: 'POST', path: collectionPath(endpoint, namespace), body, query: this.#writeQuery });
  }

  /** One object as the recovery cluster has it, or undefined when it does not exist; paced, a 429 throws TargetThrottledError. */
  async get(endpoint: TargetEndpoint, namespace: string | undefined, name: string): Promise<JsonObject | undefined> {
    const path = objectPath(endpoint, namespace, name);
    const res = await this.#write({ method: 'GET', path });
    if (res.status === 404) return undefined;
    return parseJsonObjectResponse(res, path);
  }

  /** PUT of one object over what exists, as the restore's field manager (dry run: `?dryRun=All`). */
  replace(endpoint: TargetEndpoint, namespace: string | undefined, name: string, body: JsonObject): Promise<KubeResponse> {
    return this.#write({ method: 'PUT', path: objectPath(endpoint, namespace, name), body, query: this.#writeQuery });
  }

  /**
   * The endpoint for a type as the recovery point holds it: at its own version when the recovery cluster
   * serves that, else at the group's preferred version that serves the resource (e.g. cronjobs backed up
   * at batch/v1beta1, restored at batch/v1 on 1.25+). Undefined when the recovery cluster serves it at no version.
   */
  async resolve(type: { group: string; version: string; resource: string }): Promise<TargetEndpoint | undefined> {
    const own = await this.#find(type.group, type.version, type.resource);
    if (own) return own;
    if (type.group === '') return undefined;
    const groupDoc = await this.#get(`/apis/${type.group}`);
    if (!groupDoc) return undefined;
    const preferred = isJsonObject(groupDoc.preferredVersion) ? groupDoc.preferredVersion.version : undefined;
    const versions = (Array.isArray(groupDoc.versions) ? groupDoc.versions : []).filter(isJsonObject).map((v) => v.version).filter((v): v is string => typeof v === 'string');
    for (const v of [...(typeof preferred === 'string' ? [preferred] : []), ...versions.filter((x) => x !== preferred)]) {
      if (v === type.version) continue;
      const found = await this.#find(type.group, v, type.resource);
      if (found) return found;
    }
    return undefined;
  }

  /** Forgets what was learned about a group (its CRD was just created). */
  forgetGroup(group: string): void {
    for (const key of this.#docs.keys()) if (key === `/apis/${group}` || key.startsWith(`/apis/${group}/`)) this.#docs.delete(key);
  }

  /** `<namespace>/<name>` (or `<name>`) of every object of a type in the recovery cluster, in the given namespaces or all. */
  async existingNames(endpoint: TargetEndpoint, namespaces: readonly string[] | undefined): Promise<Set<string>> {
    const names = new Set<string>();
    const scopes = endpoint.namespaced && namespaces ? namespaces : [undefined];
    for (const ns of scopes) {
      await streamResourceItems<ArchivableItem>(
        (req, onItems) => streamListItems(this.#kube, endpoint, req, ns, onItems),
        async (items) => {
          for (const item of items) names.add(objectKey(item.metadata.namespace, item.metadata.name ?? ''));
        },
        this.#signal ? { signal: this.#signal } : {},
      );
    }
    return names;
  }

  /** Every object of a type in the recovery cluster (in the given namespaces, or all), parsed, page by page. */
  async eachObject(endpoint: TargetEndpoint, namespaces: readonly string[] | undefined, onObject: (obj: JsonObject) => Promise<void>): Promise<void> {
    const scopes = endpoint.namespaced && namespaces ? namespaces : [undefined];
    for (const ns of scopes) {
      await streamResourceItems<ArchivableItem>(
        (req, onItems) => streamListItems(this.#kube, endpoint, req, ns, onItems),
        async (items) => {
          // Parsed before the handler awaits: the items' buffers are reused once this returns.
          const objects = items.map((item) => JSON.parse(archivableJson(item).toString('utf8')) as JsonObject);
          for (const obj of objects) await onObject(obj);
        },
        this.#signal ? { signal: this.#signal } : {},
      );
    }
  }

  /**
   * Waits until a CRD is Established and NamesAccepted (what Velero waits for before its custom
   * resources); throws CrdNotEstablishedError after `timeoutMs`.
   */
  async waitForCrd(crdName: string, group: string, timeoutMs = DEFAULT_CRD_WAIT_MS): Promise<void> {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(crdName)}`;
    const deadline = Date.now() + timeoutMs;
    let last = 'not found';
    for (;;) {
      this.#signal?.throwIfAborted();
      const res = await this.#kube.request({ method: 'GET', path, signal: this.#signal });
      if (res.status === 200) {
        const crd = parseJsonObjectResponse(res, path);
        const conditions = (Array.isArray(isJsonObject(crd.status) ? crd.status.conditions : undefined) ? (crd.status as JsonObject).conditions as unknown[] : []).filter(isJsonObject);
        const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
        if (isTrue('Established') && isTrue('NamesAccepted')) {
          this.forgetGroup(group);
          return;
        }
        last = conditions.map((c) => `${String(c.type)}=${String(c.status)}`).join(', ') || 'no conditions yet';
      } else if (res.status !== 404) {
        last = `HTTP ${res.status}`;
      }
      if (Date.now() >= deadline) throw new CrdNotEstablishedError(crdName, timeoutMs, last);
      await new Promise((r) => setTimeout(r, CRD_POLL_MS));
    }
  }

  /**
   * Whether a Service has a ready endpoint: a ready address in its Endpoints or in one of its EndpointSlices
   * (what an admission webhook's call needs). An ExternalName Service has no endpoints to check: ready.
   */
  async serviceReadiness(namespace: string, name: string): Promise<ServiceReadiness> {
    const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
    const service = await this.#getObject(`${base}/services/${encodeURIComponent(name)}`);
    if (!service) return 'service-not-found';
    if (isJsonObject(service.spec) && service.spec.type === 'ExternalName') return 'ready';
    const endpoints = await this.#getObject(`${base}/endpoints/${encodeURIComponent(name)}`);
    if (endpoints && endpointsHaveReadyAddress(endpoints)) return 'ready';
    const slices = await this.resolve({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' });
    if (slices) {
      const path = collectionPath(slices, namespace);
      const res = await this.#kube.request({ method: 'GET', path, query: { labelSelector: `kubernetes.io/service-name=${name}` }, signal: this.#signal });
      const items = res.status === 200 ? parseJsonObjectResponse(res, path).items : undefined;
      if (Array.isArray(items) && items.filter(isJsonObject).some(sliceHasReadyEndpoint)) return 'ready';
    }
    return 'no-ready-endpoints';
  }

  /** A request of one object's write; paced, a 429 comes back at once (no retries in KubeClient) and is thrown. */
  async #write(req: Omit<KubeRequest, 'signal' | 'handBack429'>): Promise<KubeResponse> {
    const res = await this.#kube.request({ ...req, signal: this.#signal, ...(this.#paced ? { handBack429: true } : {}) });
    if (res.status === 429 && this.#paced) throw new TargetThrottledError(req.path, retryAfterMs(res.headers['retry-after']));
    return res;
  }

  /** One object, or undefined when it does not exist. */
  async #getObject(path: string): Promise<JsonObject | undefined> {
    const res = await this.#kube.request({ method: 'GET', path, signal: this.#signal });
    if (res.status === 404) return undefined;
    return parseJsonObjectResponse(res, path);
  }

  async #find(group: string, version: string, resource: string): Promise<TargetEndpoint | undefined> {
    const groupVersion = group === '' ? version : `${group}/${version}`;
    const doc = await this.#get(group === '' ? `/api/${version}` : `/apis/${groupVersion}`);
    const entry = (Array.isArray(doc?.resources) ? doc.resources : []).filter(isJsonObject).find((r) => r.name === resource);
    if (!entry || typeof entry.kind !== 'string') return undefined;
    return {
      group, version, groupVersion, resource, kind: entry.kind, namespaced: entry.namespaced === true,
      verbs: Array.isArray(entry.verbs) ? entry.verbs.filter((v): v is string => typeof v === 'string') : [],
      name: group === '' ? resource : `${resource}.${group}`,
    };
  }

  /** A discovery document, or undefined when the server does not serve it (404, or 503 of an aggregated API). */
  #get(path: string): Promise<JsonObject | undefined> {
    let doc = this.#docs.get(path);
    if (!doc) {
      doc = withBodyRetries(async () => {
        const res = await this.#kube.request({ method: 'GET', path, signal: this.#signal });
        if (res.status === 404 || res.status === 503) return undefined;
        return parseJsonObjectResponse(res, path);
      }, this.#signal);
      // A failure is not cached: the next type asks again.
      doc.catch(() => this.#docs.delete(path));
      this.#docs.set(path, doc);
    }
    return doc;
  }
}

/** Collection path in the recovery cluster: `/api/v1/namespaces/<ns>/<res>`, `/apis/<g>/<v>/<res>`. */
export function collectionPath(endpoint: TargetEndpoint, namespace: string | undefined): string {
  const base = endpoint.group === '' ? `/api/${endpoint.version}` : `/apis/${endpoint.group}/${endpoint.version}`;
  return endpoint.namespaced && namespace !== undefined ? `${base}/namespaces/${encodeURIComponent(namespace)}/${endpoint.resource}` : `${base}/${endpoint.resource}`;
}

export function objectPath(endpoint: TargetEndpoint, namespace: string | undefined, name: string): string {
  return `${collectionPath(endpoint, namespace)}/${encodeURIComponent(name)}`;
}

/** `<namespace>/<name>` for namespaced objects, `<name>` for cluster-scoped ones. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined ? name : `${namespace}/${name}`;
}

