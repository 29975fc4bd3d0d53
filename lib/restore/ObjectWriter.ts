import { apiErrorFromResponse } from '../kube/responseBody';
import type { KubeResponse } from '../kube/types';
import { keepExistingReason, type RecoveryPointFacts } from './plan';
import { alreadyMatches, carryOverForUpdate, prepareObject } from './prepareObject';
import type { RestoredWebhooks } from './RestoredWebhooks';
import { failed, nameOf, namespaceOf, skipped, type ObjectResult } from './RestoreTally';
import { collectionPath, FIELD_MANAGER, objectKey, objectPath, type TargetApi, type TargetEndpoint } from './TargetApi';
import type { ObjectTranslator, RestoreOptions, UntranslatedReferences } from './types';

type Json = Record<string, unknown>;

export type WriterOptions = Pick<RestoreOptions, 'dryRun' | 'existingResourcePolicy' | 'resumable' | 'namespaceMapping' | 'gitops'>;

/** One object ready to be written: prepared, translated, where it goes, and what its row adds. */
export interface PreparedWrite {
  resourceName: string;
  endpoint: TargetEndpoint;
  /** In the recovery cluster (after namespaceMapping); undefined for a cluster-scoped type. */
  namespace: string | undefined;
  name: string;
  /** The object as recorded in the recovery point (its row names it so). */
  source: Json;
  prepared: Json;
  extra: Partial<ObjectResult>;
}

/** What an entry of the action table (objectActions.ts) may use. */
export interface WriteContext {
  readonly target: TargetApi;
  /** The object created (dry run: would be), with a reason when it was found made. */
  created(w: PreparedWrite, reason?: string): ObjectResult;
  /** A write the API server refused, as the object's failure. @default path: the object's */
  refused(w: PreparedWrite, res: KubeResponse, path?: string): ObjectResult;
}

/** An object's own way of being written, chosen by objectActions.ts; everything else is created or kept. */
export type ObjectAction = (ctx: WriteContext, w: PreparedWrite) => Promise<ObjectResult>;

/**
 * One object's write, the restore's per-object decisions in one place: created; left alone when it exists
 * (policy `skip`, or the plan keeps the recovery cluster's own); brought to the recovery point's version
 * (`update`); a 409 that the list did not expect (a lost answer, a race, an earlier attempt of a resumed
 * step); a dry run's object in a namespace the same restore creates; and, resumable, one an earlier attempt
 * made. Objects with an action of their own (aws-auth's merge) are the action table's (objectActions.ts). A
 * 429 throws TargetThrottledError with nothing written: the caller paces it and calls write() again.
 */
export class ObjectWriter implements WriteContext {
  readonly target: TargetApi;
  readonly #opts: WriterOptions;
  readonly #facts: RecoveryPointFacts;
  readonly #translator: ObjectTranslator | undefined;
  readonly #untranslated: UntranslatedReferences | undefined;
  readonly #webhooks: RestoredWebhooks;
  readonly #actions: ReadonlyMap<string, ObjectAction>;
  /** Namespaces this run creates (in a dry run: would create), so objects in them are not failures of the dry run. */
  readonly #namespacesCreated = new Set<string>();

  constructor(
    target: TargetApi, opts: WriterOptions, facts: RecoveryPointFacts,
    translation: { translator: ObjectTranslator; untranslated: UntranslatedReferences } | undefined,
    webhooks: RestoredWebhooks, actions: ReadonlyMap<string, ObjectAction>,
  ) {
    this.target = target;
    this.#opts = opts;
    this.#facts = facts;
    this.#translator = translation && !translation.translator.isNoop ? translation.translator : undefined;
    this.#untranslated = translation?.untranslated;
    this.#webhooks = webhooks;
    this.#actions = actions;
  }

  /** Prepared once (translation observed once), however many times its write is paced and tried again. */
  prepare(resourceName: string, endpoint: TargetEndpoint, obj: Json): PreparedWrite {
    const { object: prepared, gitopsHeld } = prepareObject(resourceName, obj, { namespaceMapping: this.#opts.namespaceMapping, gitops: this.#opts.gitops ?? 'off' });
    prepared.apiVersion = endpoint.groupVersion;
    const rewrites = this.#translator?.translate(resourceName, prepared) ?? [];
    this.#untranslated?.observe(prepared);
    const meta = prepared.metadata as Json;
    const name = String(meta.name);
    const namespace = endpoint.namespaced ? String(meta.namespace) : undefined;
    const extra = {
      ...(rewrites.length ? { rewrites } : {}),
      ...(namespace !== undefined && namespace !== namespaceOf(obj) ? { targetNamespace: namespace } : {}),
      ...(name !== nameOf(obj) ? { targetName: name } : {}),
      ...(gitopsHeld ? { gitopsHeld: gitopsHeld.map((f) => f.path) } : {}),
    };
    return { resourceName, endpoint, namespace, name, source: obj, prepared, extra };
  }

  /** `existing`: the names the recovery cluster had when the type was listed. */
  async write(w: PreparedWrite, existing: ReadonlySet<string>): Promise<ObjectResult> {
    const action = this.#actions.get(actionKey(w.resourceName, w.namespace, w.name));
    if (action) return action(this, w);
    if (existing.has(objectKey(w.namespace, w.name))) {
      if (this.#opts.resumable && await this.#madeByEarlierAttempt(w)) return this.created(w, 'created (an earlier attempt of this step made it)');
      const keep = this.#keepExisting(w);
      if (keep) return skipped('exists', keep, w.extra);
      return this.#update(w);
    }
    const res = await this.target.create(w.endpoint, w.namespace, w.prepared);
    if (res.status === 200 || res.status === 201) return this.created(w);
    if (res.status === 409) return this.#conflict(w);
    if (this.#opts.dryRun && res.status === 404 && w.namespace !== undefined && this.#namespacesCreated.has(w.namespace) && /namespaces? "?[^ ]*"? not found/.test(res.body.toString('utf8'))) {
      // Its namespace is created by this restore, which a dry run does not do: the API server can only say so.
      return this.created(w, `its namespace ${w.namespace} is created by this restore; admission and validation were not run`);
    }
    return this.refused(w, res, collectionPath(w.endpoint, w.namespace));
  }

  created(w: PreparedWrite, reason?: string): ObjectResult {
    if (w.resourceName === 'namespaces') this.#namespacesCreated.add(w.name);
    this.#webhooks.noteWritten(w.resourceName, w.prepared);
    return { outcome: 'created', ...w.extra, ...(reason ? { reason } : {}) };
  }

  refused(w: PreparedWrite, res: KubeResponse, path = objectPath(w.endpoint, w.namespace, w.name)): ObjectResult {
    return failed(failureText(res, path), res.status, w.extra);
  }

  /**
   * A step of a durable restore run again after it was cut off (`resumable`): an object that exists, already
   * matches what this restore writes and was last written by this delegate counts as restored by it, once.
   */
  async #madeByEarlierAttempt(w: PreparedWrite, current?: Json): Promise<boolean> {
    if (this.#opts.dryRun) return false;
    const existing = current ?? await this.target.get(w.endpoint, w.namespace, w.name);
    if (!existing) return false;
    const managers = (existing.metadata as Json | undefined)?.managedFields;
    const ours = Array.isArray(managers) && managers.some((m) => (m as Json | null)?.manager === FIELD_MANAGER);
    return ours && alreadyMatches(stripForCompare(w.prepared), existing);
  }

  /** `update` policy: brought to the recovery point's version unless it already matches (idempotent). */
  async #update(w: PreparedWrite): Promise<ObjectResult> {
    const existing = await this.target.get(w.endpoint, w.namespace, w.name);
    if (!existing) {
      // Gone since the list: create it.
      const res = await this.target.create(w.endpoint, w.namespace, w.prepared);
      if (res.status === 200 || res.status === 201) return this.created(w);
      return this.refused(w, res, collectionPath(w.endpoint, w.namespace));
    }
    if (alreadyMatches(stripForCompare(w.prepared), existing)) return skipped('exists', 'exists and already matches the recovery point', w.extra);
    const res = await this.target.replace(w.endpoint, w.namespace, w.name, carryOverForUpdate(w.resourceName, w.prepared, existing));
    if (res.status !== 200 && res.status !== 201) return this.refused(w, res);
    this.#webhooks.noteWritten(w.resourceName, w.prepared);
    return { outcome: 'updated', ...w.extra };
  }

  /**
   * 409 on a create the list did not expect: our own create repeated after a lost answer, a race, or an
   * earlier attempt of a resumed step (made after its type was listed). Resumable, only an object this
   * delegate wrote counts as made by this restore.
   */
  async #conflict(w: PreparedWrite): Promise<ObjectResult> {
    if (!this.#opts.dryRun) {
      const current = await this.target.get(w.endpoint, w.namespace, w.name);
      if (current && this.#opts.resumable) {
        if (await this.#madeByEarlierAttempt(w, current)) return this.created(w, 'created (an earlier attempt of this step made it)');
      } else if (current && alreadyMatches(stripForCompare(w.prepared), current)) {
        return this.created(w, 'created (a retried request found it already made)');
      }
    }
    const keep = this.#keepExisting(w);
    if (keep) return skipped('exists', keep, w.extra);
    return this.#update(w);
  }

  /** Why an object the recovery cluster has is left as it is: the policy, or the plan (its own copy of a default). */
  #keepExisting(w: PreparedWrite): string | undefined {
    const own = keepExistingReason(w.resourceName, w.source, this.#facts);
    if (own) return `exists in the recovery cluster, which keeps its own: ${own}`;
    return this.#opts.existingResourcePolicy === 'skip' ? 'exists in the recovery cluster' : undefined;
  }
}

/** The key of the action table: `<resource> <namespace>/<name>` (cluster-scoped: `<resource> <name>`), as written. */
export function actionKey(resourceName: string, namespace: string | undefined, name: string): string {
  return `${resourceName} ${objectKey(namespace, name)}`;
}

/** The prepared object without what the server fills in on create, for comparing with what exists. */
function stripForCompare(prepared: Json): Json {
  const { apiVersion: _v, ...rest } = prepared;
  return rest;
}

function failureText(res: KubeResponse, path: string): string {
  const err = apiErrorFromResponse(res, path);
  return err.reason ? `${err.reason}: ${err.message.replace(/^[^:]*: HTTP \d+ [A-Za-z]*: ?/, '')}` : err.message;
}
