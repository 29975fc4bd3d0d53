import type { TargetApi } from './TargetApi';
import { webhooksWithoutEndpoints, type AdmissionWebhook, type ServiceReadiness, type WebhookWithoutEndpoints } from './webhooks';

/**
 * Reads, once per Service, whether the restored webhooks' Services have a ready endpoint in the recovery
 * cluster, and names the webhooks that will not answer. A Service that cannot be read is a warning, not a
 * failure of the restore: its webhooks are left out. `planned` (a dry run) says what the restore would
 * have made of a Service the cluster does not have yet.
 */
export async function checkWebhookEndpoints(
  target: Pick<TargetApi, 'serviceReadiness'>, webhooks: readonly AdmissionWebhook[], planned: ReadonlyMap<string, ServiceReadiness> = new Map(),
): Promise<{ found: WebhookWithoutEndpoints[]; warnings: string[] }> {
  const readiness = new Map<string, ServiceReadiness>();
  const warnings: string[] = [];
  const services = new Map(webhooks.flatMap((w) => (w.service ? [[`${w.service.namespace}/${w.service.name}`, w.service] as const] : [])));
  for (const [key, service] of services) {
    try {
      const state = await target.serviceReadiness(service.namespace, service.name);
      readiness.set(key, state === 'service-not-found' ? planned.get(key) ?? state : state);
    } catch (err) {
      warnings.push(`could not check the endpoints of webhook service ${key}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { found: webhooksWithoutEndpoints(webhooks.filter((w) => !w.service || readiness.has(`${w.service.namespace}/${w.service.name}`)), readiness), warnings };
}
