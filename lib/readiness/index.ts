// Readiness (DESIGN.md section 11, issue 25): will the recovery work, and how long would it take?
export { runReadiness } from './runReadiness';
export type { ReadinessDependencies, ReadinessOptions } from './runReadiness';
export { decideVerdict, severityOf } from './decideVerdict';
export { checkRpo, formatDuration, FAILED_BACKUP_WINDOW_MS, RPO_CHART_POINTS } from './checkRpo';
export { estimateRto } from './estimateRto';
export { checkVersionSkew } from './checkVersionSkew';
export { classifyDryRun, objectLabel, MAX_OBJECTS_PER_FINDING } from './classifyDryRun';
export { planLookups, ecrImageTarget, generatedIdTarget } from './planLookups';
export type { LookupPlan, PlannedLookup } from './planLookups';
export { checkAwsDependencies, LOOKUP_CONCURRENCY } from './checkAwsDependencies';
export type { Lookup } from './checkAwsDependencies';
export { renderReportHtml } from './renderReportHtml';
export { escapeHtml } from './escapeHtml';
export type * from './types';
