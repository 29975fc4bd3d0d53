import { classifyLookupError } from '../../../lib/aws/lookup';
import type { AwsDependency } from '../../../lib/dependencies';
import { checkAwsDependencies, ecrImageTarget, generatedIdTarget, planLookups } from '../../../lib/readiness';

const ref = (kind: string, name: string, extra: Record<string, string> = {}) => ({ apiVersion: 'v1', kind, namespace: 'shop', name, path: 'x', ...extra });
const labelOf = (r: { kind: string; namespace?: string; name: string }) => `${r.kind}/${r.namespace}/${r.name}`;

describe('planLookups', () => {
  it('looks up each ECR image by its exact tag or digest, roles, certificates and identifierMap ids; skips what still points at the source', () => {
    const deps: AwsDependency[] = [
      { type: 'ecr-repository', id: 'arn:aws:ecr:us-west-2:444455556666:repository/shop/api', references: [
        ref('Deployment', 'api', { image: '444455556666.dkr.ecr.us-west-2.amazonaws.com/shop/api:2.0' }),
        ref('Deployment', 'worker', { image: `444455556666.dkr.ecr.us-west-2.amazonaws.com/shop/api@sha256:${'a'.repeat(64)}` }),
      ] },
      { type: 'iam-role', id: 'arn:aws:iam::444455556666:role/api', references: [ref('ServiceAccount', 'api')] },
      { type: 'iam-role', id: 'arn:aws:iam::111122223333:role/left', references: [ref('ServiceAccount', 'left')] },
      { type: 'external-image', id: 'docker.io/library/nginx', references: [ref('Pod', 'p')] },
      { type: 's3-bucket', id: 'arn:aws:s3:::data', references: [ref('ConfigMap', 'c')] },
    ];
    const plan = planLookups({
      dependencies: deps, identifierMapTargets: ['vol-0fedcba9876543210', 'not-an-id'], recoveryRegion: 'us-west-2', labelOf,
      untranslated: new Set(['iam-role\u0000arn:aws:iam::111122223333:role/left']),
    });
    expect(plan.lookups.map((l) => [l.target.type, l.target.id, l.target.image?.tag ?? l.target.image?.digest ?? '', l.objects])).toEqual([
      ['ecr-image', '444455556666.dkr.ecr.us-west-2.amazonaws.com/shop/api:2.0', '2.0', ['Deployment/shop/api']],
      ['ecr-image', `444455556666.dkr.ecr.us-west-2.amazonaws.com/shop/api@sha256:${'a'.repeat(64)}`, `sha256:${'a'.repeat(64)}`, ['Deployment/shop/worker']],
      ['iam-role', 'arn:aws:iam::444455556666:role/api', '', ['ServiceAccount/shop/api']],
      ['ebs-volume', 'vol-0fedcba9876543210', '', []],
    ]);
    expect(plan.unchecked).toEqual([{ type: 's3-bucket', id: 'arn:aws:s3:::data' }]);
  });

  it('reads images without a tag as :latest and types identifierMap ARNs', () => {
    expect(ecrImageTarget('444455556666.dkr.ecr.eu-west-1.amazonaws.com/team/app')?.image).toEqual({ registryId: '444455556666', repository: 'team/app', tag: 'latest' });
    expect(ecrImageTarget('nginx:1.27')).toBeUndefined();
    expect(generatedIdTarget('arn:aws:acm:eu-west-1:444455556666:certificate/def', 'us-west-2')).toEqual({ type: 'acm-certificate', id: 'arn:aws:acm:eu-west-1:444455556666:certificate/def', region: 'eu-west-1' });
    expect(generatedIdTarget('fsap-0123456789abcdef0', 'us-west-2')).toEqual({ type: 'efs-access-point', id: 'fsap-0123456789abcdef0', region: 'us-west-2' });
  });
});

describe('checkAwsDependencies', () => {
  it('turns missing and not-checkable answers into findings naming the objects, never guessing', async () => {
    const lookups = [
      { target: { type: 'iam-role' as const, id: 'arn:aws:iam::1:role/a', region: 'r' }, objects: ['sa/x/a'] },
      { target: { type: 'acm-certificate' as const, id: 'arn:aws:acm:r:1:certificate/c', region: 'r' }, objects: ['ing/x/web'] },
      { target: { type: 'sns-topic' as const, id: 'arn:aws:sns:r:1:t', region: 'r' }, objects: [] },
    ];
    const answers = [{ state: 'present' as const }, classifyLookupError({ name: 'ResourceNotFoundException', message: 'nope' }), classifyLookupError({ name: 'AuthorizationError', message: 'denied' })];
    const { dependencies, findings } = await checkAwsDependencies(lookups, (t) => Promise.resolve(answers[lookups.findIndex((l) => l.target === t)]!));
    expect(dependencies.map((d) => d.state)).toEqual(['missing', 'present', 'not-checkable']);
    expect(findings.map((f) => [f.kind, f.code, f.id, f.objects])).toEqual([
      ['missing-aws-resource', 'missing', 'arn:aws:acm:r:1:certificate/c', ['ing/x/web']],
      ['not-checkable', 'access-denied', 'arn:aws:sns:r:1:t', []],
    ]);
  });

  it('treats throttling and outages as not checkable, not as missing', () => {
    expect(classifyLookupError({ name: 'ThrottlingException', message: 'slow down' })).toMatchObject({ state: 'not-checkable' });
    expect(classifyLookupError({ name: 'AccessDeniedException', message: 'x' })).toMatchObject({ state: 'not-checkable', accessDenied: true });
    expect(classifyLookupError({ name: 'NoSuchEntity', message: 'x' })).toMatchObject({ state: 'missing' });
  });
});
