// The readiness report as one self-contained HTML page for SREs and auditors: inline CSS, an inline SVG
// chart, no script and no network asset, so it opens from S3, an email or an evidence folder alike.
// Every value is escaped: object names, ids and AWS's error texts come from outside.
import { formatDuration } from './checkRpo';
import { escapeHtml as e } from './escapeHtml';
import { rpoChartSvg } from './rpoChart';
import type { ReadinessResult } from './types';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.verdict{display:inline-block;padding:6px 14px;border-radius:6px;font-weight:700;font-size:18px;color:#fff}
.READY{background:#1a7f37}.AT_RISK{background:#9a6700}.NOT_READY{background:#cf222e}
.muted{color:#57606a}table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}th{background:#eaeef2}
td code,li code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.sev-NOT_READY{color:#cf222e;font-weight:700}.sev-AT_RISK{color:#9a6700;font-weight:700}
.state-present{color:#1a7f37}.state-missing{color:#cf222e;font-weight:700}.state-not-checkable{color:#9a6700;font-weight:700}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;min-width:180px}
.card b{display:block;font-size:20px}
svg{background:#fff;border:1px solid #d0d7de;max-width:100%}svg .bar{fill:#54aeff}svg .bar.now{fill:#0969da}svg .bar.over{fill:#cf222e}
svg .target{stroke:#9a6700;stroke-dasharray:6 4;stroke-width:2}svg .axis{stroke:#57606a}svg .tick{font-size:11px;fill:#57606a}
ul.objects{margin:0;padding-left:18px}`;

export function renderReportHtml(r: ReadinessResult): string {
  const rpoAge = r.rpo.recoveryPointAgeSeconds;
  const rto = r.estimatedRto;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Recovery readiness: ${e(r.source.clusterName)} → ${e(r.clusterName)}: ${e(r.status)}</title>
<style>${STYLE}</style></head>
<body><main>
<h1>Recovery readiness of <code>${e(r.source.clusterName)}</code> into <code>${e(r.clusterName)}</code></h1>
<p class="muted">Checked ${e(r.checkedAt)} (readiness ${e(r.readinessId)}, ${e(formatDuration(r.durationMs / 1000))}). Recovery point ${r.source.recoveryPointId ? `<code>${e(r.source.recoveryPointId)}</code>` : 'none'}${r.source.location ? ` at <code>${e(r.source.location)}</code>` : ''}.</p>
<p><span class="verdict ${e(r.status)}" id="verdict">${e(r.status.replace('_', ' '))}</span> <span class="muted">${e(verdictLine(r))}</span></p>
<div class="cards">
<div class="card">RPO (newest recovery point age)<b>${rpoAge !== undefined ? e(formatDuration(rpoAge)) : 'none'}</b><span class="muted">target ${e(formatDuration(r.rpo.targetSeconds))} · ${r.rpo.met ? 'met' : 'missed'}</span></div>
<div class="card">Estimated RTO<b>${rto.seconds !== undefined ? e(formatDuration(rto.seconds)) : 'unknown'}</b><span class="muted">target ${e(formatDuration(rto.targetSeconds))} · ${rto.met ? 'met' : 'missed'} · ${e(rto.objectsToRestore)} objects${rto.writesPerSecond !== undefined ? ` at ${e(rto.writesPerSecond)}/s` : ''}</span></div>
<div class="card">Problems<b id="problem-count">${e(r.problems.length)}</b><span class="muted">${e(r.problems.filter((p) => p.severity === 'NOT_READY').length)} blocking</span></div>
<div class="card">AWS dependencies<b>${e(r.dependencies.length)}</b><span class="muted">${e(count(r, 'present'))} present · ${e(count(r, 'missing'))} missing · ${e(count(r, 'not-checkable'))} not checkable</span></div>
</div>
<h2>Problems</h2>
${r.problems.length === 0 ? '<p>None: every check passed.</p>' : `<table id="problems"><thead><tr><th>Severity</th><th>Kind</th><th>What</th><th>Objects affected</th></tr></thead><tbody>
${r.problems.map((p) => `<tr class="problem"><td class="sev-${e(p.severity)}">${e(p.severity)}</td><td>${e(p.kind)}${p.type ? `<br><span class="muted">${e(p.type)}</span>` : ''}</td><td>${p.id ? `<code>${e(p.id)}</code><br>` : ''}${e(p.detail)}</td><td>${objectList(p.objects)}</td></tr>`).join('\n')}
</tbody></table>`}
<h2>RPO over recent recovery points</h2>
${rpoChartSvg(r.rpo.recent, r.rpo.targetSeconds, rpoAge)}
<p class="muted">Each bar: the time since the recovery point before it, the data a disaster just before it would have lost; the last bar is the newest recovery point's age now. ${e(r.rpo.failedLast7Days.length)} failed and ${e(r.rpo.partialLast7Days.length)} partial backup(s) in the last 7 days.</p>
<h2>Dry-run restore into the recovery cluster</h2>
${r.dryRun ? `<table><tbody>
<tr><th>Would be created</th><td>${e(r.dryRun.created)}</td><th>Exist already</th><td>${e(r.dryRun.exists)}</td></tr>
<tr><th>Refused (admission, validation)</th><td>${e(r.dryRun.refused)}</td><th>API not served</th><td>${e(r.dryRun.notServed)}</td></tr>
<tr><th>Need a CRD nowhere to be found</th><td>${e(r.dryRun.needsCrd)}</td><th>Wait for a CRD the restore creates</th><td>${e(r.dryRun.awaitingCrd)}</td></tr>
<tr><th>Not restored by design</th><td>${e(r.dryRun.skipped)}</td><th>Dry run took</th><td>${e(formatDuration(r.dryRun.durationMs / 1000))}</td></tr>
</tbody></table>${r.dryRun.report ? `<p class="muted">Per-object report: <code>${e(r.dryRun.report)}</code></p>` : ''}` : '<p>The dry run did not run (see the problems).</p>'}
<h2>Versions</h2>
${r.versions ? `<p>Source Kubernetes ${e(r.versions.sourceKubernetesVersion)}, recovery Kubernetes ${e(r.versions.recoveryKubernetesVersion)}. API versions of the recovery point not served by the recovery cluster: ${r.versions.groupVersionsNotServed.length ? r.versions.groupVersionsNotServed.map((g) => `<code>${e(g)}</code>`).join(', ') : 'none'}.</p>` : '<p>Not compared.</p>'}
<h2>AWS dependencies in the recovery account</h2>
${r.dependencies.length === 0 ? '<p>None found in the objects to restore.</p>' : `<table id="dependencies"><thead><tr><th>Type</th><th>Identifier (after translation)</th><th>State</th><th>Needed by</th></tr></thead><tbody>
${r.dependencies.map((d) => `<tr><td>${e(d.type)}</td><td><code>${e(d.id)}</code></td><td class="state-${e(d.state)}">${e(d.state)}${d.detail ? `<br><span class="muted">${e(d.detail)}</span>` : ''}</td><td>${objectList(d.objects)}</td></tr>`).join('\n')}
</tbody></table>`}
<h2>What was checked</h2>
<ul>${r.checks.map((c) => `<li>${e(c)}</li>`).join('')}</ul>
${r.warnings.length ? `<h2>Warnings</h2><ul>${r.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : ''}
<p class="muted">Generated by the EKS delegate's readiness check. The recovery cluster was only read and sent dry-run writes; nothing was stored in it.</p>
</main></body></html>
`;
}

function verdictLine(r: ReadinessResult): string {
  if (r.status === 'READY') return 'Recovery is expected to work within the targets.';
  const blocking = r.problems.filter((p) => p.severity === 'NOT_READY').length;
  return r.status === 'NOT_READY' ? `${blocking} problem(s) would make the recovery fail or come back incomplete.` : `${r.problems.length} risk(s): a target missed or something that could not be checked.`;
}

function count(r: ReadinessResult, state: string): number {
  return r.dependencies.filter((d) => d.state === state).length;
}

function objectList(objects: readonly string[] | undefined): string {
  if (!objects?.length) return '<span class="muted">—</span>';
  return `<ul class="objects">${objects.map((o) => `<li><code>${e(o)}</code></li>`).join('')}</ul>`;
}
