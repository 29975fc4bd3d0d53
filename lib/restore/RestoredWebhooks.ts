import { checkWebhookEndpoints } from './checkWebhookEndpoints';
import type { TargetApi } from './TargetApi';
import { admissionWebhooks, endpointsHaveReadyAddress, webhooksWarning, type AdmissionWebhook, type ServiceReadiness, type WebhookWithoutEndpoints } from './webhooks';

type Json = Record<string, unknown>;

/**
 * The admission webhooks one restore wrote (dry run: would write), checked once it is done: which of them
 * will not answer in the recovery cluster (issue 24, item 3).
 */
export class RestoredWebhooks {
  readonly #dryRun: boolean;
  readonly #webhooks: AdmissionWebhook[] = [];
  /** Dry run: Services the restore would create (`ns/name`), and whether their restored Endpoints have a ready address. */
  readonly #planned = new Map<string, ServiceReadiness>();

  constructor(dryRun: boolean) {
    this.#dryRun = dryRun;
  }

  /** An object written (dry run: accepted by the dry-run write), as written. */
  noteWritten(resourceName: string, prepared: Json): void {
    this.#webhooks.push(...admissionWebhooks(resourceName, prepared));
    if (!this.#dryRun) return;
    // A dry run writes nothing: what the check would find is what this restore would have made.
    const meta = (prepared.metadata ?? {}) as Json;
    const key = `${String(meta.namespace ?? '')}/${String(meta.name ?? '')}`;
    if (resourceName === 'services') this.#planned.set(key, this.#planned.get(key) ?? 'no-ready-endpoints');
    if (resourceName === 'endpoints' && endpointsHaveReadyAddress(prepared)) this.#planned.set(key, 'ready');
  }

  /** The webhooks that will not answer, and the warnings to add (one naming them, one per Service that could not be read). */
  async check(target: Pick<TargetApi, 'serviceReadiness'>): Promise<{ found: WebhookWithoutEndpoints[]; warnings: string[] }> {
    if (this.#webhooks.length === 0) return { found: [], warnings: [] };
    const { found, warnings } = await checkWebhookEndpoints(target, this.#webhooks, this.#dryRun ? this.#planned : undefined);
    const line = webhooksWarning(found, this.#dryRun);
    return { found, warnings: [...warnings, ...(line ? [line] : [])] };
  }
}
