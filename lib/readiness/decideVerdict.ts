// The verdict, decided here and nowhere else (STYLE.md: the final status in exactly one place): each
// finding's severity from its kind and code, then READY only when nothing is AT_RISK or NOT_READY.
import type { Finding, FindingCode, ProblemKind, ProblemSeverity, ReadinessProblem, ReadinessStatus } from './types';

/**
 * NOT_READY: recovery would fail or come back without something (missing, refused, unusable).
 * AT_RISK: a target missed, or something that could not be checked: said, never guessed.
 */
const SEVERITY: Record<ProblemKind, ProblemSeverity | Partial<Record<FindingCode, ProblemSeverity>> & { default: ProblemSeverity }> = {
  'missing-aws-resource': 'NOT_READY',
  'not-checkable': 'AT_RISK',
  rpo: { 'no-usable-recovery-point': 'NOT_READY', default: 'AT_RISK' },
  rto: 'AT_RISK',
  'recovery-point': { partial: 'AT_RISK', default: 'NOT_READY' },
  'secrets-key': 'NOT_READY',
  admission: 'NOT_READY',
  'api-not-served': 'NOT_READY',
  'needs-crd': 'NOT_READY',
  'version-skew': 'AT_RISK',
  'untranslated-reference': 'AT_RISK',
};

export function severityOf(finding: Pick<Finding, 'kind' | 'code'>): ProblemSeverity {
  const rule = SEVERITY[finding.kind];
  return typeof rule === 'string' ? rule : rule[finding.code] ?? rule.default;
}

/** The problems, worst first, and the verdict they make. */
export function decideVerdict(findings: readonly Finding[]): { status: ReadinessStatus; problems: ReadinessProblem[] } {
  const problems = findings.map(({ code: _code, ...f }, i) => ({ problem: { severity: severityOf(findings[i]!), ...f }, i }))
    .sort((a, b) => rank(b.problem.severity) - rank(a.problem.severity) || a.i - b.i)
    .map((p) => p.problem);
  const status: ReadinessStatus = problems.some((p) => p.severity === 'NOT_READY') ? 'NOT_READY' : problems.length ? 'AT_RISK' : 'READY';
  return { status, problems };
}

function rank(s: ProblemSeverity): number {
  return s === 'NOT_READY' ? 2 : 1;
}
