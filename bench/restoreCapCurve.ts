// The cap curve of restore writes (what the default RESTORE_CONCURRENCY is chosen from): the same restore of
// the seeded cluster's recovery point at each cap of writes in flight, each into fresh namespaces, with the
// objects per second it reached and the 429s the recovery API server answered while it ran.
import { ApiConnection } from './ApiConnection';
import { measureRestore, type MeasureRestoreOptions } from './restoreBench';

export interface CapCurvePoint {
  /** RESTORE_CONCURRENCY */
  cap: number;
  objects: number;
  ms: number;
  objectsPerSecond: number;
  cpuMs: number;
  peakRssMiB: number;
  /**
   * 429s the recovery API server answered during the run: the rise of its `apiserver_request_total{code="429"}`
   * (every client's, though only the delegate writes then). Null when the metrics could not be read.
   */
  apiServer429s: number | null;
  /** The restore response's own count of 429s waited out, when the delegate reports one. */
  throttled?: number;
}

export interface CapCurveResult {
  generatedAt: string;
  command: string;
  atObjects: number;
  pinned: boolean;
  memorySizeMb: number;
  points: CapCurvePoint[];
}

export type CapCurveOptions = Omit<MeasureRestoreOptions, 'concurrency' | 'compare' | 'kubectl' | 'namespaceSuffix'> & { caps: readonly number[] };

export async function measureCapCurve(o: CapCurveOptions): Promise<CapCurvePoint[]> {
  const api = new ApiConnection({ apiServerUrl: o.recovery.conn.apiServerUrl, caPem: o.recovery.conn.caPem, token: o.recovery.conn.adminToken, maxSockets: 1 });
  const points: CapCurvePoint[] = [];
  try {
    for (const cap of o.caps) {
      const before = await count429s(api);
      const r = await measureRestore({ ...o, concurrency: cap, compare: false, kubectl: false, namespaceSuffix: `cap${cap}` });
      const after = await count429s(api);
      const apiServer429s = before === null || after === null ? null : after - before;
      points.push({
        cap, objects: r.objects, ms: r.delegate.ms, objectsPerSecond: r.delegate.objectsPerSecond, cpuMs: r.delegate.cpuMs, peakRssMiB: r.delegate.peakRssMiB, apiServer429s,
        ...(r.throttled !== undefined ? { throttled: r.throttled } : {}),
      });
      o.log(`cap ${cap}: ${r.objects} objects at ${r.delegate.objectsPerSecond}/s, ${apiServer429s ?? 'unknown'} 429s from the API server, ${r.throttled ?? 'unknown'} waited out by the delegate`);
    }
  } finally {
    api.destroy();
  }
  return points;
}

/** The API server's 429 answers so far (all verbs and resources), from its Prometheus metrics; null if unreadable. */
export async function count429s(api: ApiConnection): Promise<number | null> {
  let text: string;
  try {
    text = (await api.getBody('/metrics')).toString('utf8');
  } catch {
    return null;
  }
  return sum429s(text);
}

/**
 * The 429s in a Prometheus text exposition of kube-apiserver: the larger of the `apiserver_request_total`
 * samples whose `code` label is 429 and of `apiserver_dropped_requests_total` (1.20's max-in-flight filter
 * counts its 429s only there; servers that count them in both must not be counted twice). Null when the
 * exposition has neither (then a 0 would be a guess, not a count).
 */
export function sum429s(metrics: string): number | null {
  let answered = 0;
  let dropped = 0;
  let seen = false;
  for (const line of metrics.split('\n')) {
    if (line.startsWith('apiserver_request_total{')) {
      seen = true;
      if (/[{,]code="429"[,}]/.test(line)) answered += sampleValue(line);
    } else if (line.startsWith('apiserver_dropped_requests_total')) {
      seen = true;
      dropped += sampleValue(line);
    }
  }
  return seen ? Math.max(answered, dropped) : null;
}

function sampleValue(line: string): number {
  return Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
}
