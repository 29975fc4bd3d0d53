// Admission webhooks after a restore (issue 24, item 3): a restored webhook whose service has no ready
// endpoint in the recovery cluster refuses (failurePolicy Fail) or skips (Ignore) every write it matches
// until its controller runs. These pure functions say which webhooks and which writes; TargetApi reads the
// endpoints (serviceReadiness).

import { list, record, type Json } from './jsonFields';

/** The webhook configuration types, by restore name, with their kind. */
export const WEBHOOK_CONFIGURATION_KINDS: Readonly<Record<string, 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration'>> = {
  'mutatingwebhookconfigurations.admissionregistration.k8s.io': 'MutatingWebhookConfiguration',
  'validatingwebhookconfigurations.admissionregistration.k8s.io': 'ValidatingWebhookConfiguration',
};

export type FailurePolicy = 'Fail' | 'Ignore';

/** One webhook of a configuration, as the recovery cluster will call it. */
export interface AdmissionWebhook {
  kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  configuration: string;
  webhook: string;
  /** `clientConfig.service`, when the webhook is called through a Service. */
  service?: { namespace: string; name: string };
  /** `clientConfig.url`, when it is called at a URL (cannot be checked from here). */
  url?: string;
  failurePolicy: FailurePolicy;
  /** The writes it intercepts, for people: `CREATE,UPDATE of services, ingresses.networking.k8s.io`. */
  matches: string;
}

/** What the recovery cluster has behind a webhook's Service. */
export type ServiceReadiness = 'ready' | 'no-ready-endpoints' | 'service-not-found';

/** A webhook that will not answer in the recovery cluster (the restore response's `webhooksWithoutEndpoints`). */
export interface WebhookWithoutEndpoints {
  kind: AdmissionWebhook['kind'];
  configuration: string;
  webhook: string;
  /** `<namespace>/<name>` of its Service. */
  service?: string;
  url?: string;
  failurePolicy: FailurePolicy;
  /** failurePolicy Fail: the writes the API server refuses until the service has a ready endpoint. */
  refuses?: string;
  /** failurePolicy Ignore: the writes admitted without this webhook's say (no mutation, no validation). */
  skippedFor?: string;
  /** `url-not-checked`: the webhook is called at a URL, which the delegate cannot check. */
  problem: 'no-ready-endpoints' | 'service-not-found' | 'url-not-checked';
}

/** The webhooks of one (prepared) configuration; [] for any other object. */
export function admissionWebhooks(resourceName: string, configuration: Readonly<Json>): AdmissionWebhook[] {
  const kind = WEBHOOK_CONFIGURATION_KINDS[resourceName];
  if (!kind) return [];
  const name = String(record(configuration.metadata).name ?? '');
  // admissionregistration v1beta1 defaulted failurePolicy to Ignore; v1 defaults it to Fail.
  const defaultPolicy: FailurePolicy = String(configuration.apiVersion ?? '').endsWith('/v1beta1') ? 'Ignore' : 'Fail';
  return list(configuration.webhooks).map((w) => {
    const clientConfig = record(w.clientConfig);
    const service = record(clientConfig.service);
    return {
      kind, configuration: name, webhook: String(w.name ?? ''),
      ...(typeof service.name === 'string' ? { service: { namespace: String(service.namespace ?? 'default'), name: service.name } } : {}),
      ...(typeof clientConfig.url === 'string' ? { url: clientConfig.url } : {}),
      failurePolicy: w.failurePolicy === 'Ignore' || w.failurePolicy === 'Fail' ? w.failurePolicy : defaultPolicy,
      matches: describeMatches(w),
    };
  });
}

/**
 * The writes a webhook intercepts, from its `rules` (operations and resources, named as restore names them:
 * `<plural>` for the core group, `<plural>.<group>` otherwise) and its selectors.
 */
export function describeMatches(webhook: Readonly<Json>): string {
  const byOperations = new Map<string, Set<string>>();
  for (const rule of list(webhook.rules)) {
    const ops = strings(rule.operations);
    const key = ops.includes('*') ? 'every write' : ops.join(',') || 'no operation';
    const groups = strings(rule.apiGroups);
    const names = byOperations.get(key) ?? new Set<string>();
    for (const group of groups.length ? groups : ['']) {
      for (const resource of strings(rule.resources)) names.add(group === '' ? resource : `${resource}.${group}`);
    }
    byOperations.set(key, names);
  }
  const text = [...byOperations].map(([ops, names]) => `${ops} of ${[...names].join(', ') || 'nothing'}`).join('; ') || 'nothing (no rules)';
  const scope = [selectorText('namespaces', webhook.namespaceSelector), selectorText('objects', webhook.objectSelector)].filter(Boolean);
  return scope.length ? `${text} (${scope.join(', ')})` : text;
}

/**
 * The webhooks that will not answer: those whose Service has no ready endpoint (or does not exist), and
 * those called at a URL, which cannot be checked. `readiness` is keyed by `<namespace>/<name>`.
 */
export function webhooksWithoutEndpoints(webhooks: readonly AdmissionWebhook[], readiness: ReadonlyMap<string, ServiceReadiness>): WebhookWithoutEndpoints[] {
  const out: WebhookWithoutEndpoints[] = [];
  for (const w of webhooks) {
    const service = w.service ? `${w.service.namespace}/${w.service.name}` : undefined;
    const state = service ? readiness.get(service) : undefined;
    if (service && (state === undefined || state === 'ready')) continue;
    if (!service && w.url === undefined) continue;
    out.push({
      kind: w.kind, configuration: w.configuration, webhook: w.webhook,
      ...(service ? { service } : { url: w.url }),
      failurePolicy: w.failurePolicy,
      ...(w.failurePolicy === 'Fail' ? { refuses: w.matches } : { skippedFor: w.matches }),
      problem: !service ? 'url-not-checked' : state === 'service-not-found' ? 'service-not-found' : 'no-ready-endpoints',
    });
  }
  return out;
}

/** The response's warning line about them, or undefined when there are none. */
export function webhooksWarning(found: readonly WebhookWithoutEndpoints[], dryRun: boolean): string | undefined {
  const unanswered = found.filter((w) => w.problem !== 'url-not-checked');
  const urls = found.length - unanswered.length;
  const parts: string[] = [];
  if (unanswered.length) {
    const refusing = unanswered.filter((w) => w.failurePolicy === 'Fail');
    const names = unanswered.map((w) => `${w.configuration}/${w.webhook} (${w.service ?? ''}${w.failurePolicy === 'Fail' ? ', refuses ' : ', skipped for '}${w.refuses ?? w.skippedFor ?? ''})`);
    parts.push(`${unanswered.length} restored admission webhook(s) ${dryRun ? 'would have' : 'have'} no ready endpoint in the recovery cluster`
      + `${refusing.length ? `; ${refusing.length} with failurePolicy Fail refuse the writes they match until their service runs` : ''}: ${names.join('; ')}`);
  }
  if (urls) parts.push(`${urls} webhook(s) are called at a URL, which cannot be checked from here`);
  return parts.length ? parts.join('. ') : undefined;
}

/** Whether an Endpoints object has a ready address (`subsets[].addresses`; notReadyAddresses do not count). */
export function endpointsHaveReadyAddress(endpoints: Readonly<Json>): boolean {
  return list(endpoints.subsets).some((s) => list(s.addresses).length > 0);
}

/** Whether an EndpointSlice has a ready endpoint (`conditions.ready` unset means ready, as kube-proxy reads it). */
export function sliceHasReadyEndpoint(slice: Readonly<Json>): boolean {
  return list(slice.endpoints).some((e) => strings(e.addresses).length > 0 && record(e.conditions).ready !== false);
}

function selectorText(what: string, selector: unknown): string | undefined {
  const s = record(selector);
  const labels = Object.entries(record(s.matchLabels)).map(([k, v]) => `${k}=${String(v)}`);
  const expressions = list(s.matchExpressions).length;
  if (!labels.length && !expressions) return undefined;
  return `${what} matching ${[...labels, ...(expressions ? [`${expressions} expression(s)`] : [])].join(',')}`;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
