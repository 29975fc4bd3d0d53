// Self time of a V8 .cpuprofile (node --cpu-prof), summed by function, by source module and by area, for
// docs/restore-cpu.md. The delegate runs as one esbuild bundle; a readable (unminified) bundle marks where
// each source module starts with a `// lib/kube/KubeClient.ts` comment line, so a frame's line number in the
// bundle names its source module without a source map.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  key: string;
  ms: number;
}

export interface ProfileSummary {
  /** Sampled time, idle excluded (ms). */
  totalMs: number;
  idleMs: number;
  byFunction: SelfTime[];
  byModule: SelfTime[];
  byArea: SelfTime[];
  /**
   * Self time charged to the nearest frame of the bundle above it (the delegate's or a dependency's module):
   * what node's internals and native code did on behalf of which of our modules. Time with no bundle frame
   * above it (socket reads, timers, GC) keeps its own area in brackets.
   */
  byOwner: SelfTime[];
  /** byOwner grouped into the areas docs/restore-cpu.md tabulates (restoreAreaOf). */
  byRestoreArea: SelfTime[];
}

/** Module start lines of a readable esbuild bundle: `// path` comment lines at column 0. */
export function bundleModules(bundleText: string): Array<{ line: number; module: string }> {
  const starts: Array<{ line: number; module: string }> = [];
  bundleText.split('\n').forEach((text, line) => {
    // esbuild names a module relative to the directory it ran in: a build of sources elsewhere has `../` first.
    const m = /^\/\/ (?:\S*?\/)?((?:node_modules|lib|handlers|scripts|bench)\/\S+\.(?:[cm]?js|ts|json))$/.exec(text);
    if (m) starts.push({ line, module: m[1]! });
  });
  return starts;
}

/** Which module a 0-based bundle line belongs to (the last start at or before it). */
function moduleAt(starts: Array<{ line: number; module: string }>, line: number): string {
  let lo = 0;
  let hi = starts.length - 1;
  let found = '(bundle prelude)';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]!.line <= line) {
      found = starts[mid]!.module;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The area a module or native frame counts towards. Node's own modules are grouped by what they serve
 * (TLS and HTTP, streams, zlib); a frame without a URL is native code, named by its function.
 */
export function areaOf(module: string, functionName: string): string {
  if (module === '(garbage collector)') return 'GC';
  if (module === '(program)') return 'V8/runtime (program)';
  if (/^node:(_tls|tls|https|_http|http|net|internal\/(tls|http|net|stream_base|js_stream)|internal\/crypto\/keys)/.test(module)) return 'node HTTP/TLS/net';
  if (/^node:(zlib|internal\/zlib)/.test(module)) return 'node zlib (gunzip)';
  if (/^node:(internal\/)?(streams?|stream\/|internal\/streams|internal\/webstreams)/.test(module)) return 'node streams';
  if (/^node:(internal\/)?(crypto|hash)/.test(module)) return 'node crypto (hashing)';
  if (/^node:(internal\/)?(fs|readline)/.test(module) || /^node:internal\/fs/.test(module)) return 'node fs/readline (spool, report)';
  if (module.startsWith('node:')) return 'node other';
  if (module === '(native)') {
    if (/TLS|SSL|Tls|ssl|writev|writeUtf8|writeBuffer|onStreamRead|Socket|TCP|Pipe|HTTPParser|execute|onParserExecute/.test(functionName)) return 'node HTTP/TLS/net';
    if (/Zlib|zlib|inflate|Inflate|gunzip/.test(functionName)) return 'node zlib (gunzip)';
    if (/Hash|digest|update/.test(functionName)) return 'node crypto (hashing)';
    if (/parse|stringify|JSON/.test(functionName)) return 'JSON (native)';
    return 'native other';
  }
  if (/node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws-lambda-powertools|fast-xml-parser|tslib|bowser|strnum|uuid)/.test(module)) return 'AWS SDK, Powertools';
  if (/node_modules\/(tar-stream|streamx|b4a|fast-fifo|text-decoder|queue-tick|events-universal|bare-)/.test(module)) return 'tar-stream';
  if (module.startsWith('node_modules/')) return 'other dependencies';
  if (module.startsWith('lib/kube/')) return 'lib/kube (requests, response bodies)';
  if (module.startsWith('lib/recovery-point/')) return 'lib/recovery-point (archive read, verify)';
  if (module.startsWith('lib/translation/') || module.startsWith('lib/dependencies/')) return 'lib/translation, lib/dependencies';
  if (/lib\/restore\/(RestoreReport|GitopsTally)/.test(module)) return 'lib/restore report rows';
  if (/lib\/restore\/RestoreSpool/.test(module)) return 'lib/restore spool';
  if (/lib\/restore\/(prepareObject|plan|jsonFields|helmRelease|gitops)/.test(module)) return 'lib/restore preparation';
  if (module.startsWith('lib/restore/')) return 'lib/restore run (runRestore, TargetApi)';
  if (module.startsWith('lib/observability/')) return 'logging';
  return `other (${module.split('/').slice(0, 2).join('/')})`;
}

/**
 * The area of docs/restore-cpu.md's table that a byOwner row counts towards: what our module caused,
 * node's internals below it included.
 */
export function restoreAreaOf(owner: string): string {
  if (/^\[node (HTTP|other|streams)/.test(owner) || owner === '[native other]' || owner === '[V8/runtime (program)]') return 'event loop, sockets, promises (no frame of ours above)';
  if (owner === '[GC]') return 'garbage collection';
  // File writes continue from the event loop: the report's rows (and a 1.1 restore's spool).
  if (owner.startsWith('[node fs')) return 'report rows';
  if (/^\[node (zlib|crypto)/.test(owner)) return 'archive read: inflate, tar, JSON.parse, checks';
  if (owner.startsWith('lib/kube/KubeClient') || owner.startsWith('lib/kube/responseBody')) return 'requests (KubeClient and node http/tls below it)';
  if (owner.startsWith('lib/kube/')) return 'listing existing objects (lib/kube pager, jsonScan)';
  if (owner.startsWith('lib/recovery-point/') || /node_modules\/(tar-stream|streamx|b4a|fast-fifo|text-decoder|queue-tick)/.test(owner)) return 'archive read: inflate, tar, JSON.parse, checks';
  if (/node_modules\/(@aws-sdk|@smithy|@aws-crypto|fast-xml-parser)/.test(owner)) return 'S3 and AWS SDK';
  if (owner.startsWith('lib/translation/') || owner.startsWith('lib/dependencies/')) return 'translation and reference scan';
  if (/lib\/restore\/(prepareObject|jsonFields|plan|gitops|helmRelease)/.test(owner)) return 'preparation (prepareObject)';
  if (/lib\/restore\/(RestoreReport|GitopsTally)/.test(owner)) return 'report rows';
  if (owner.startsWith('lib/restore/')) return 'restore loop (runRestore, TargetApi, RestoreSpool)';
  return 'start-up, logging, other';
}

/** Sums self time by function, module and area. `bundle` maps the delegate bundle's URL to its module starts. */
export function summarizeProfile(profile: CpuProfile, bundles: Map<string, Array<{ line: number; module: string }>>, cpuMs?: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  // Samples are counted, not their time deltas: a delta is wall time, and on a shared machine a process
  // that waits for a core stretches the delta of whatever it was doing. Counts are then scaled so that
  // the non-idle samples add up to `cpuMs` (the process's measured CPU), or to their mean interval.
  const counts = new Map<number, number>();
  let idleCount = 0;
  const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  for (const id of profile.samples) {
    counts.set(id, (counts.get(id) ?? 0) + 1);
    if (idleIds.has(id)) idleCount++;
  }
  const busy = profile.samples.length - idleCount;
  const meanUs = profile.samples.length ? (profile.endTime - profile.startTime) / profile.samples.length : 0;
  const usPerSample = cpuMs !== undefined && busy > 0 ? (cpuMs * 1000) / busy : meanUs;
  const selfUs = new Map([...counts].map(([id, n]) => [id, n * usPerSample]));
  const fn = new Map<string, number>();
  const mod = new Map<string, number>();
  const area = new Map<string, number>();
  const owner = new Map<string, number>();
  const restoreArea = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  const moduleOfFrame = (id: number): string | undefined => {
    const { url, lineNumber } = byId.get(id)!.callFrame;
    const starts = bundles.get(url.replace(/^file:\/\//, ''));
    return starts ? moduleAt(starts, lineNumber) : undefined;
  };
  const ownerOf = (id: number): string | undefined => {
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const m = moduleOfFrame(at);
      if (m !== undefined) return m;
    }
    return undefined;
  };
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const path = url.replace(/^file:\/\//, '');
    const starts = bundles.get(path);
    const module = functionName === '(garbage collector)' || functionName === '(program)' || functionName === '(root)' ? `(${functionName.replace(/[()]/g, '')})`
      : starts ? moduleAt(starts, lineNumber)
        : url === '' ? '(native)'
          : path.startsWith('node:') ? path : path.replace(/^.*\/(node_modules|scripts)\//, '$1/');
    add(fn, `${functionName || '(anonymous)'} ${module}${starts ? `:${lineNumber + 1}` : ''}`, us);
    add(mod, module, us);
    add(area, areaOf(module, functionName), us);
    const ownerKey = ownerOf(id) ?? `[${areaOf(module, functionName)}]`;
    add(owner, ownerKey, us);
    add(restoreArea, restoreAreaOf(ownerKey), us);
  }
  const sorted = (m: Map<string, number>) => [...m].map(([key, us]) => ({ key, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, byFunction: sorted(fn), byModule: sorted(mod), byArea: sorted(area), byOwner: sorted(owner), byRestoreArea: sorted(restoreArea) };
}

/** Reads a .cpuprofile and summarizes it against the readable bundle at `bundlePath`, scaled to `cpuMs` when given. */
export function summarizeProfileFile(profilePath: string, bundlePath: string, cpuMs?: number): ProfileSummary {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
  return summarizeProfile(profile, new Map([[bundlePath, bundleModules(readFileSync(bundlePath, 'utf8'))]]), cpuMs);
}

/** The summary as text tables: the top `top` functions, every module above 0.5% and every area. */
export function formatSummary(s: ProfileSummary, objects: number, top = 40): string {
  const per100k = (ms: number) => Math.round((ms / objects) * 100_000);
  const pct = (ms: number) => `${((ms / s.totalMs) * 100).toFixed(1)}%`;
  const rows = (list: SelfTime[]) => list.map((r) => `${r.ms.toFixed(0).padStart(8)} ms ${pct(r.ms).padStart(6)} ${String(per100k(r.ms)).padStart(7)} ms/100k  ${r.key}`).join('\n');
  return [
    `${s.totalMs.toFixed(0)} ms of CPU in samples (idle ${s.idleMs.toFixed(0)} ms) for ${objects} objects: ${per100k(s.totalMs)} ms per 100k`,
    '', '== by restore area (charged to our module above, grouped)', rows(s.byRestoreArea),
    '', '== by area (self time)', rows(s.byArea),
    '', '== charged to the nearest bundle module above (>= 0.5%)', rows(s.byOwner.filter((r) => r.ms >= s.totalMs * 0.005)),
    '', '== by module (>= 0.5%)', rows(s.byModule.filter((r) => r.ms >= s.totalMs * 0.005)),
    '', `== by function (top ${top})`, rows(s.byFunction.slice(0, top)),
  ].join('\n');
}

// `npx tsx bench/cpuProfile.ts PROFILE.cpuprofile BUNDLE.js [OBJECTS] [CPU_MS]`: print the summary of one profile.
if (require.main === module) {
  const [profilePath, bundlePath, objects, cpuMs] = process.argv.slice(2);
  if (!profilePath || !bundlePath) {
    process.stderr.write('usage: tsx bench/cpuProfile.ts PROFILE.cpuprofile READABLE-BUNDLE.js [OBJECTS] [CPU_MS]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatSummary(summarizeProfileFile(profilePath, bundlePath, cpuMs === undefined ? undefined : Number(cpuMs)), Number(objects ?? 100_000))}\n`);
}
