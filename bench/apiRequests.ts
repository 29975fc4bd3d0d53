// The API server's own count of the requests it served during a phase of the bench (apiserver_request_total
// from its /metrics), by verb, resource and code: what a restore asked of the cluster besides its creates,
// set beside what its POST baseline asked.
import type { ApiConnection } from './ApiConnection';

/** Requests served, by `VERB resource[/subresource] code` (`group/` before the resource when it has one). */
export type ApiRequests = Record<string, number>;

const REQUEST_TOTAL = 'apiserver_request_total{';

/** Every request counter of a /metrics page, summed by key (the counter's other labels folded in). */
export function parseRequestTotals(metrics: string): ApiRequests {
  const totals: ApiRequests = {};
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(REQUEST_TOTAL)) continue;
    const close = line.lastIndexOf('}');
    const value = Number(line.slice(close + 1).trim());
    if (close < 0 || !Number.isFinite(value)) continue;
    const labels = parseLabels(line.slice(REQUEST_TOTAL.length, close));
    const resource = `${labels.group ? `${labels.group}/` : ''}${labels.resource || labels.path || '-'}${labels.subresource ? `/${labels.subresource}` : ''}`;
    const key = `${labels.verb ?? '?'} ${resource} ${labels.code ?? '?'}${labels.dry_run ? ' dryRun' : ''}`;
    totals[key] = (totals[key] ?? 0) + value;
  }
  return totals;
}

/** `after - before` by key, the keys that moved only; a counter that restarted (a reset cluster) counts from zero. */
export function requestsBetween(before: ApiRequests, after: ApiRequests): ApiRequests {
  const moved: ApiRequests = {};
  for (const [key, n] of Object.entries(after)) {
    const was = before[key] ?? 0;
    const d = n >= was ? n - was : n;
    if (d > 0) moved[key] = d;
  }
  return Object.fromEntries(Object.entries(moved).sort(([, a], [, b]) => b - a));
}

/** The API server's request counters now (GET /metrics as the stand-in's admin). */
export async function apiRequests(api: Pick<ApiConnection, 'getBody'>): Promise<ApiRequests> {
  return parseRequestTotals((await api.getBody('/metrics')).toString('utf8'));
}

/** `a="x",b="y"`: label values are quoted, with `\"` and `\\` escaped. */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(text); m; m = re.exec(text)) labels[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return labels;
}
