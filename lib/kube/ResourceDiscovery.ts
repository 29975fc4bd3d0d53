import { mapWithConcurrency } from '../concurrency/mapWithConcurrency';
import { DiscoveryError } from './discoveryErrors';
import {
  AGGREGATED_DISCOVERY_ACCEPT, COHABITATING_RESOURCES, isAggregatedDocument, parseAggregatedGroups, parseLegacyCoreVersions,
  parseLegacyGroups, parseResourceList, preferredResources, type AggregatedVersion, type ApiResource,
} from './discoveryDocuments';
import { KubeApiError, KubeNetworkError } from './errors';
import { parseJsonObjectResponse, withBodyRetries, type JsonObject } from './responseBody';
import type { DiscoveredResource, KubeRequest, KubeTransport } from './types';
import type { DiscoveredGroup, DiscoveryOptions, DiscoverySummary, DuplicateResource, FailedGroupVersion } from './discoveryTypes';

/** Group versions fetched at once unless DiscoveryOptions.concurrency says otherwise. */
export const DEFAULT_DISCOVERY_CONCURRENCY = 8;
/** Attempts per group version unless DiscoveryOptions.groupVersionAttempts says otherwise. */
export const DEFAULT_GROUP_VERSION_ATTEMPTS = 2;

/** What discovery knows about one group while its versions are being fetched. */
interface GroupSlot {
  name: string;
  order: number;
  versions: string[];
  preferredVersion: string | undefined;
  lists: Map<string, ApiResource[]>;
  /** Versions still being fetched (legacy discovery only). */
  pending: number;
  /** Set once every version has answered or failed. */
  resources?: DiscoveredResource[];
  emitted: boolean;
}

/** One legacy `/api/<v>` (core: its failure ends discovery) or `/apis/<g>/<v>` request. */
interface Job { core: boolean; slot: GroupSlot; version: string }

/**
 * Discovers every resource type the cluster serves that can be listed, each at its preferred version
 * (client-go `ServerPreferredResources` semantics), and hands each group over as soon as it is known, so
 * lists start before discovery ends (issue 16). Iterate it once; `done` resolves with the warnings and
 * duplicates when every group has settled.
 *
 * `/api` and `/apis` are asked for aggregated discovery (v2, then v2beta1): a current server answers with
 * every group in those two documents. A server without it (Kubernetes before 1.26, the stand-in's 1.20)
 * answers with the legacy documents, and each group version is then fetched on its own, concurrently.
 *
 * A group version that cannot be fetched (an aggregated API such as metrics.k8s.io whose service is
 * gone answers 503) or that the aggregated document marks Stale becomes a warning and a `failedGroups`
 * entry after at most one quick retry; it never holds up the other groups. Failure of `/api`, `/api/v1`
 * or `/apis` ends discovery with DiscoveryError because nothing could be backed up reliably.
 */
export class ResourceDiscovery implements AsyncIterable<DiscoveredGroup> {
  /** Resolves when every group has settled; rejects with the error that ended discovery. */
  readonly done: Promise<DiscoverySummary>;
  readonly #transport: KubeTransport;
  readonly #options: DiscoveryOptions;
  readonly #slots: GroupSlot[] = [];
  readonly #failures: Array<{ order: number; index: number; failure: FailedGroupVersion }> = [];
  readonly #duplicates: DuplicateResource[] = [];
  readonly #ready: DiscoveredGroup[] = [];
  #wake: (() => void) | undefined;
  #end: { error?: unknown } | undefined;

  private constructor(transport: KubeTransport, options: DiscoveryOptions) {
    this.#transport = transport;
    this.#options = options;
    this.done = this.#run();
    this.done.then(() => this.#finish({}), (error: unknown) => this.#finish({ error }));
  }

  /** Starts discovery at once; groups are buffered until they are read. */
  static start(transport: KubeTransport, options: DiscoveryOptions = {}): ResourceDiscovery {
    return new ResourceDiscovery(transport, options);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<DiscoveredGroup> {
    for (;;) {
      if (this.#end?.error !== undefined) throw this.#end.error;
      const next = this.#ready.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.#end) return;
      await new Promise<void>((resolve) => { this.#wake = resolve; });
    }
  }

  #finish(end: { error?: unknown }): void {
    this.#end = end;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #run(): Promise<DiscoverySummary> {
    const { signal } = this.#options;
    const concurrency = Math.max(1, Math.floor(this.#options.concurrency ?? DEFAULT_DISCOVERY_CONCURRENCY));
    // Requests that do not depend on each other run together: discovery is a fixed cost of every backup (issue 8).
    const [coreRoot, groupRoot] = await Promise.all([this.#getFatal('/api', true), this.#getFatal('/apis', true)]);

    // Every group is registered before any is handed over: a cohabitating copy (events.k8s.io events)
    // waits for its canonical group, which must be known to exist.
    const jobs: Job[] = [];
    if (isAggregatedDocument(coreRoot)) {
      this.#addAggregated('', 0, parseAggregatedGroups(coreRoot).flatMap((g) => g.versions));
    } else {
      const slot = this.#addSlot('', 0, parseLegacyCoreVersions(coreRoot), undefined);
      jobs.push(...slot.versions.map((version) => ({ core: true, slot, version })));
    }
    const aggregated = isAggregatedDocument(groupRoot);
    if (aggregated) {
      parseAggregatedGroups(groupRoot).forEach((g, i) => this.#addAggregated(g.name, i + 1, g.versions));
    } else {
      parseLegacyGroups(groupRoot).forEach((g, i) => {
        const slot = this.#addSlot(g.name, i + 1, g.versions, g.preferredVersion);
        jobs.push(...slot.versions.map((version) => ({ core: false, slot, version })));
      });
    }
    for (const slot of this.#slots) if (slot.pending === 0) this.#settle(slot);

    await mapWithConcurrency(jobs, concurrency, async (job) => {
      if (job.core) {
        job.slot.lists.set(job.version, parseResourceList(await this.#getFatal(`/api/${job.version}`, false)));
      } else {
        const outcome = await this.#fetchGroupVersion(job.slot.name, job.version);
        if (Array.isArray(outcome)) job.slot.lists.set(job.version, outcome);
        else this.#fail(job.slot, job.version, outcome);
      }
      if (--job.slot.pending === 0) this.#settle(job.slot);
    });
    signal?.throwIfAborted();

    const failures = [...this.#failures].sort((a, b) => a.order - b.order || a.index - b.index).map((f) => f.failure);
    const cohabitationIndex = (d: DuplicateResource) => COHABITATING_RESOURCES.findIndex((c) => `${c.resource}.${c.otherGroup}` === d.name);
    return {
      warnings: failures.map((f) => `${f.groupVersion}: discovery failed: ${f.status ?? f.error}`),
      failedGroups: failures,
      duplicates: [...this.#duplicates].sort((a, b) => cohabitationIndex(a) - cohabitationIndex(b)),
      mode: aggregated ? 'aggregated' : 'legacy',
    };
  }

  #addSlot(name: string, order: number, versions: string[], preferredVersion: string | undefined): GroupSlot {
    const slot: GroupSlot = { name, order, versions, preferredVersion, lists: new Map(), pending: versions.length, emitted: false };
    this.#slots.push(slot);
    return slot;
  }

  /** An aggregated group arrives whole; its first version is the preferred one. */
  #addAggregated(name: string, order: number, versions: AggregatedVersion[]): void {
    const slot = this.#addSlot(name, order, versions.map((v) => v.version), versions[0]?.version);
    slot.pending = 0;
    for (const v of versions) {
      if ('stale' in v) this.#fail(slot, v.version, { error: 'the aggregated discovery document marks it Stale (its API server did not answer)' });
      else slot.lists.set(v.version, v.resources);
    }
  }

  #fail(slot: GroupSlot, version: string, failure: { status?: number; error: string }): void {
    const groupVersion = slot.name === '' ? version : `${slot.name}/${version}`;
    this.#failures.push({ order: slot.order, index: slot.versions.indexOf(version), failure: { groupVersion, ...failure } });
  }

  #settle(slot: GroupSlot): void {
    slot.resources = preferredResources(slot, (v) => slot.lists.get(v));
    // A settled group may release a cohabitating copy that was waiting for it.
    for (const s of this.#slots) if (s.resources && !s.emitted) this.#emitIfReady(s);
  }

  /** Hands a settled group over, unless it holds copies of types whose canonical group has not settled yet. */
  #emitIfReady(slot: GroupSlot): void {
    const copies = COHABITATING_RESOURCES.filter((c) => c.otherGroup === slot.name);
    const canonical = (group: string) => this.#slots.find((s) => s.name === group);
    if (copies.some((c) => canonical(c.canonicalGroup) && !canonical(c.canonicalGroup)?.resources)) return;
    slot.emitted = true;
    let resources = slot.resources ?? [];
    for (const c of copies) {
      const other = resources.find((r) => r.resource === c.resource);
      const kept = canonical(c.canonicalGroup)?.resources?.find((r) => r.resource === c.resource);
      // Only when both are served: an old cluster serving ingresses only in extensions keeps that copy.
      if (other && kept) {
        resources = resources.filter((r) => r !== other);
        this.#duplicates.push({ name: other.name, keptAs: kept.name });
      }
    }
    if (resources.length === 0) return;
    this.#ready.push({ group: slot.name, order: slot.order, resources });
    this.#notify();
  }

  /** GET a discovery document whose failure ends discovery; `/api` and `/apis` ask for aggregated discovery. */
  async #getFatal(path: string, root: boolean): Promise<JsonObject> {
    const { signal } = this.#options;
    const req: KubeRequest = { method: 'GET', path, signal, ...(root ? { accept: AGGREGATED_DISCOVERY_ACCEPT } : {}) };
    try {
      return await withBodyRetries(async () => parseJsonObjectResponse(await this.#transport.request(req), path), signal);
    } catch (err) {
      if (err instanceof KubeApiError || err instanceof KubeNetworkError) throw new DiscoveryError(path, err.message, { cause: err });
      throw err;
    }
  }

  /** One group version's resources, or its failure after at most one quick retry. */
  async #fetchGroupVersion(group: string, version: string): Promise<ApiResource[] | { status?: number; error: string }> {
    const { signal } = this.#options;
    const path = `/apis/${group}/${version}`;
    const maxAttempts = Math.max(1, this.#options.groupVersionAttempts ?? DEFAULT_GROUP_VERSION_ATTEMPTS);
    try {
      const body = await withBodyRetries(async () => parseJsonObjectResponse(await this.#transport.request({ method: 'GET', path, signal, maxAttempts }), path), signal);
      return parseResourceList(body);
    } catch (err) {
      // Only API and network failures are per-group; anything else (abort, bugs) ends discovery.
      if (err instanceof KubeApiError) return { status: err.status, error: err.message };
      if (err instanceof KubeNetworkError) return { error: err.message };
      throw err;
    }
  }
}
