#!/usr/bin/env bash
# Production dependency audit for CI: `npm audit --omit=dev --audit-level=high`.
# - Findings at or above "high": prints them and exits non-zero (CI fails).
# - No findings: exits 0.
# - The advisory endpoint itself cannot be reached or refuses the request (offline runner, a registry
#   mirror without the bulk advisory API, which answers 405): prints a loud notice that the audit was NOT
#   performed -- this is not a pass -- and exits 0 so that CI is not blocked by the network.
#   Set AUDIT_REQUIRED=true to make that case fail instead.
set -uo pipefail
cd "$(dirname "$0")/.."

report="$(mktemp)"
trap 'rm -f "$report"' EXIT
npm audit --omit=dev --audit-level=high --json >"$report" 2>/dev/null
status=$?

node - "$report" "$status" <<'NODE'
const { readFileSync } = require('node:fs');
const [file, status] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  report = undefined;
}
if (!report || report.auditReportVersion === undefined) {
  const why = report && (report.message || (report.error && report.error.summary)) || 'no audit report was produced';
  const bar = '!'.repeat(78);
  console.log([bar, '!! npm audit could NOT be performed: the advisory endpoint was unreachable.', `!! ${why}`,
    '!! This is NOT a pass. Run `npm audit --omit=dev --audit-level=high` where the registry is reachable.', bar].join('\n'));
  process.exit(process.env.AUDIT_REQUIRED === 'true' ? 2 : 0);
}
const vulns = Object.values(report.vulnerabilities || {});
const serious = vulns.filter((v) => v.severity === 'high' || v.severity === 'critical');
const counts = (report.metadata && report.metadata.vulnerabilities) || {};
console.log(`npm audit (production dependencies): ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
for (const v of serious) {
  const via = (v.via || []).map((x) => (typeof x === 'string' ? x : `${x.title} (${x.url})`)).join('; ');
  console.log(`  ${v.severity.toUpperCase()} ${v.name} ${v.range}: ${via}${v.fixAvailable ? ' [fix available]' : ''}`);
}
if (serious.length > 0 || Number(status) !== 0) {
  console.log(`npm audit found ${serious.length} high or critical vulnerabilities in production dependencies.`);
  process.exit(1);
}
console.log('npm audit: no high or critical vulnerabilities in production dependencies.');
NODE
