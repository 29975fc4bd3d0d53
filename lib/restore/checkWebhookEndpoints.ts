import type { TargetApi } from './TargetApi';
import { webhooksWithoutEndpoints, type AdmissionWebhook, type ServiceReadiness, type WebhookWithoutEndpoints } from './webhooks';

/**
 * Reads, once per Service, whether the restored webhooks' Services have a ready endpoint in the recovery
 * cluster, and names the webhooks that will not answer. A Service that cannot be read is a warning, not a
 * failure of the restore: its webhooks are left out.
 */
export async function checkWebhookEndpoints(
  target: Pick<TargetApi, 'serviceReadiness'>, webhooks: readonly AdmissionWebhook[],
): Promise<{ found: WebhookWithoutEndpoints[]; warnings: string[] }> {
  const readiness = new Map<string, ServiceReadiness>();
  const warnings: string[] = [];
  const services = new Map(webhooks.flatMap((w) => (w.service ? [[`${w.service.namespace}/${w.service.name}`, w.service] as const] : [])));
  for (const [key, service] of services) {
    try {
      readiness.set(key, await target.serviceReadiness(service.namespace, service.name));
    } catch (err) {
      warnings.push(`could not check the endpoints of webhook service ${key}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { found: webhooksWithoutEndpoints(webhooks.filter((w) => !w.service || readiness.has(`${w.service.namespace}/${w.service.name}`)), readiness), warnings };
}
