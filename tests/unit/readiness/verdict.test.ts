import { decideVerdict, severityOf, type Finding } from '../../../lib/readiness';

const f = (kind: Finding['kind'], code: Finding['code'], extra: Partial<Finding> = {}): Finding => ({ kind, code, detail: `${kind} ${code}`, ...extra });

describe('decideVerdict', () => {
  it('is READY with no findings', () => {
    expect(decideVerdict([])).toEqual({ status: 'READY', problems: [] });
  });

  it('is AT_RISK when only targets are missed or something could not be checked', () => {
    const { status, problems } = decideVerdict([f('rpo', 'target-missed'), f('not-checkable', 'access-denied'), f('rto', 'target-missed')]);
    expect(status).toBe('AT_RISK');
    expect(problems.map((p) => p.severity)).toEqual(['AT_RISK', 'AT_RISK', 'AT_RISK']);
  });

  it('is NOT_READY when anything is missing or refused, and lists it before the risks, keeping every reason', () => {
    const { status, problems } = decideVerdict([
      f('rpo', 'target-missed'),
      f('missing-aws-resource', 'missing', { type: 'iam-role', id: 'arn:aws:iam::1:role/x', objects: ['serviceaccounts/a/b'] }),
      f('admission', 'refused'),
    ]);
    expect(status).toBe('NOT_READY');
    expect(problems.map((p) => `${p.severity} ${p.kind}`)).toEqual(['NOT_READY missing-aws-resource', 'NOT_READY admission', 'AT_RISK rpo']);
    expect(problems[0]).toEqual({ severity: 'NOT_READY', kind: 'missing-aws-resource', type: 'iam-role', id: 'arn:aws:iam::1:role/x', objects: ['serviceaccounts/a/b'], detail: 'missing-aws-resource missing' });
    expect(problems[0]).not.toHaveProperty('code');
  });

  it.each([
    ['rpo', 'no-usable-recovery-point', 'NOT_READY'], ['rpo', 'failed-backups', 'AT_RISK'], ['recovery-point', 'partial', 'AT_RISK'],
    ['recovery-point', 'invalid', 'NOT_READY'], ['secrets-key', 'unusable', 'NOT_READY'], ['needs-crd', 'crd-missing', 'NOT_READY'],
    ['api-not-served', 'not-served', 'NOT_READY'], ['version-skew', 'older-recovery-cluster', 'AT_RISK'], ['untranslated-reference', 'points-at-source', 'AT_RISK'],
  ] as const)('%s/%s is %s', (kind, code, severity) => {
    expect(severityOf({ kind, code })).toBe(severity);
  });
});
