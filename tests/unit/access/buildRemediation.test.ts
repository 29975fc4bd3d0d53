import { parseAllDocuments } from 'yaml';
import { buildRemediation, shellQuote, type Remediation } from '../../../lib/access';

const input = { clusterName: 'prod', region: 'eu-west-1', roleArn: 'arn:aws:iam::111122223333:role/eks-delegate-role' };
const EKSCTL = 'eksctl create iamidentitymapping --cluster prod --region eu-west-1 --arn arn:aws:iam::111122223333:role/eks-delegate-role --group system:masters --username eks-delegate --no-duplicate-arns';
const EKSCTL_DELETE = 'eksctl delete iamidentitymapping --cluster prod --region eu-west-1 --arn arn:aws:iam::111122223333:role/eks-delegate-role';
const CREATE_ENTRY = 'aws eks create-access-entry --cluster-name prod --region eu-west-1 --principal-arn arn:aws:iam::111122223333:role/eks-delegate-role --type STANDARD';
const ASSOCIATE = 'aws eks associate-access-policy --cluster-name prod --region eu-west-1 --principal-arn arn:aws:iam::111122223333:role/eks-delegate-role --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy --access-scope type=cluster';

const kinds = (r: Remediation[]) => r.map((x) => x.kind);
const byKind = (r: Remediation[], kind: Remediation['kind']) => r.find((x) => x.kind === kind)!;
const allCommands = (r: Remediation[]) => r.flatMap((x) => x.commands);

describe('buildRemediation by authentication mode', () => {
  it('offers only eksctl (aws-auth) commands in CONFIG_MAP mode', () => {
    const r = buildRemediation('CONFIG_MAP', input);
    expect(kinds(r)).toEqual(['aws-auth', 'least-privilege']);
    expect(byKind(r, 'aws-auth').commands).toEqual([EKSCTL]);
    expect(allCommands(r).some((c) => c.startsWith('aws eks'))).toBe(false);
  });

  it('offers only access-entry commands in API mode', () => {
    const r = buildRemediation('API', input);
    expect(kinds(r)).toEqual(['access-entry', 'least-privilege']);
    expect(byKind(r, 'access-entry').commands).toEqual([CREATE_ENTRY, ASSOCIATE]);
    expect(byKind(r, 'least-privilege').commands).toEqual([
      'kubectl apply -f eks-delegate-reader.yaml', `${CREATE_ENTRY} --kubernetes-groups eks-delegate-readers`,
    ]);
    expect(allCommands(r).some((c) => c.startsWith('eksctl'))).toBe(false);
  });

  it('offers both in API_AND_CONFIG_MAP mode, each with a one-sentence reason', () => {
    const r = buildRemediation('API_AND_CONFIG_MAP', input);
    expect(kinds(r)).toEqual(['aws-auth', 'access-entry', 'least-privilege']);
    expect(byKind(r, 'aws-auth').commands).toEqual([EKSCTL]);
    expect(byKind(r, 'access-entry').commands).toEqual([CREATE_ENTRY, ASSOCIATE]);
    for (const x of r) expect(x.why).toMatch(/^[A-Z][^\n]*\.$/);
  });

  it('maps the least-privilege group with eksctl where aws-auth works', () => {
    const lp = byKind(buildRemediation('CONFIG_MAP', { ...input, readerGroup: 'backup-readers', username: 'velero' }), 'least-privilege');
    expect(lp.commands).toEqual([
      'kubectl apply -f eks-delegate-reader.yaml',
      'eksctl create iamidentitymapping --cluster prod --region eu-west-1 --arn arn:aws:iam::111122223333:role/eks-delegate-role --group backup-readers --username velero --no-duplicate-arns',
    ]);
  });
});

describe('buildRemediation for a role that is already mapped', () => {
  it('replaces an aws-auth mapping: delete, then create (--no-duplicate-arns refuses a second entry)', () => {
    const r = buildRemediation('CONFIG_MAP', { ...input, existing: 'aws-auth' });
    expect(byKind(r, 'aws-auth').commands).toEqual([EKSCTL_DELETE, EKSCTL]);
    expect(byKind(r, 'aws-auth').why).toMatch(/already in aws-auth/);
  });

  it('extends an existing access entry instead of creating one, and drops aws-auth (the entry wins over it)', () => {
    const r = buildRemediation('API_AND_CONFIG_MAP', { ...input, existing: 'access-entry' });
    expect(kinds(r)).toEqual(['access-entry', 'least-privilege']);
    expect(byKind(r, 'access-entry').commands).toEqual([ASSOCIATE]);
    expect(byKind(r, 'least-privilege').commands[1]).toBe(
      'aws eks update-access-entry --cluster-name prod --region eu-west-1 --principal-arn arn:aws:iam::111122223333:role/eks-delegate-role --kubernetes-groups eks-delegate-readers',
    );
  });

  it('says what to do when it is unknown how the role is mapped', () => {
    const r = buildRemediation('API_AND_CONFIG_MAP', { ...input, existing: 'unknown' });
    expect(byKind(r, 'aws-auth').why).toContain(`run ${EKSCTL_DELETE} first`);
    expect(byKind(r, 'access-entry').why).toMatch(/ResourceInUseException/);
  });
});

describe('the least-privilege manifest', () => {
  it('is a read-everything ClusterRole bound to the group', () => {
    const r = byKind(buildRemediation('API', input), 'least-privilege');
    expect(r.manifest?.fileName).toBe('eks-delegate-reader.yaml');
    const docs = parseAllDocuments(r.manifest!.content).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs).toEqual([
      expect.objectContaining({ kind: 'ClusterRole', rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }] }),
      expect.objectContaining({
        kind: 'ClusterRoleBinding',
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'eks-delegate-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'eks-delegate-readers' }],
      }),
    ]);
  });
});

describe('shell quoting', () => {
  it('leaves ARNs bare and quotes what a shell would expand', () => {
    expect(shellQuote('arn:aws:iam::111122223333:role/x')).toBe('arn:aws:iam::111122223333:role/x');
    expect(shellQuote('eks-delegate:{{SessionName}}')).toBe("'eks-delegate:{{SessionName}}'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('quotes a username template in the eksctl command', () => {
    const r = buildRemediation('CONFIG_MAP', { ...input, username: 'eks-delegate:{{SessionName}}' });
    expect(byKind(r, 'aws-auth').commands[0]).toContain("--username 'eks-delegate:{{SessionName}}' --no-duplicate-arns");
  });
});
