import { PreflightOptionsError } from './errors';
import { preflightHint } from './preflightHint';
import { preflightTargets } from './preflightTargets';
import { connectTcp, lookupAll, probeTarget } from './probeTarget';
import type { PreflightOptions, PreflightReport, TargetReport } from './types';

/** Port probed when neither the options nor the endpoint name one. */
export const DEFAULT_PREFLIGHT_PORT = 443;
/** Limit for each step (DNS, TCP, TLS) of each target. */
export const DEFAULT_STEP_TIMEOUT_MS = 2000;
/** Limit for the whole preflight, under the 10 s a caller waits for the answer. */
export const DEFAULT_OVERALL_TIMEOUT_MS = 9000;

/**
 * Checks that the function can reach EKS, STS and S3 for the region, and the cluster's endpoint:
 * each target is resolved, connected over TCP and taken through a TLS handshake, all targets at once.
 * Strictly bounded in time: whatever has not finished at `overallTimeoutMs` is reported as timed out.
 * Only throws PreflightOptionsError, for options that cannot be used.
 */
export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const port = options.port ?? DEFAULT_PREFLIGHT_PORT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const overallTimeoutMs = options.overallTimeoutMs ?? DEFAULT_OVERALL_TIMEOUT_MS;
  const inVpc = options.inVpc ?? false;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PreflightOptionsError('port', port, 'not a TCP port');
  if (!(timeoutMs > 0)) throw new PreflightOptionsError('timeoutMs', timeoutMs, 'must be positive');
  if (!(overallTimeoutMs > 0)) throw new PreflightOptionsError('overallTimeoutMs', overallTimeoutMs, 'must be positive');

  const targets = preflightTargets({
    region: options.region,
    clusterEndpoint: options.clusterEndpoint,
    clusterCa: options.clusterCa,
    serviceCa: options.serviceCa,
    hostOverrides: options.hostOverrides,
    port,
  });

  const overall = new AbortController();
  const deadline = setTimeout(() => overall.abort(), overallTimeoutMs);
  try {
    const ctx = {
      resolver: options.resolver ?? lookupAll,
      connect: options.connect ?? connectTcp,
      timeoutMs,
      overall: overall.signal,
      now,
    };
    const hintContext = { region: options.region, inVpc };
    const reports: TargetReport[] = await Promise.all(targets.map(async (target) => {
      const probed = await probeTarget(target, ctx);
      const hint = preflightHint(probed, hintContext);
      return hint === undefined ? probed : { ...probed, hint };
    }));
    return {
      ok: reports.every((r) => r.reachable),
      region: options.region,
      inVpc,
      targets: reports,
      durationMs: Math.round(now() - started),
    };
  } finally {
    clearTimeout(deadline);
  }
}
