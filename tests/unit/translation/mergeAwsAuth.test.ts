import { parse } from 'yaml';
import { AwsAuthMergeError, mergeAwsAuth } from '../../../lib/translation';

const TARGET_ROLES = `- rolearn: arn:aws:iam::777788889999:role/dr-node-role
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
- rolearn: arn:aws:iam::777788889999:role/eks-delegate
  username: eks-delegate
  groups:
    - delegate-readers
`;

const SOURCE_ROLES = `- rolearn: arn:aws:iam::777788889999:role/eks-delegate
  username: someone-else
  groups:
    - system:masters
- rolearn: arn:aws:iam::777788889999:role/ops-admin
  username: ops-admin
  groups:
    - system:masters
- rolearn: arn:aws:iam::777788889999:role/ops-admin
  username: ops-admin-again
`;

describe('mergeAwsAuth', () => {
  it('keeps the target entries, adds the source entries once, and lets the target win on the same rolearn', () => {
    const result = mergeAwsAuth({ mapRoles: TARGET_ROLES }, { mapRoles: SOURCE_ROLES });
    expect(parse(result.data['mapRoles'] ?? '')).toEqual([
      { rolearn: 'arn:aws:iam::777788889999:role/dr-node-role', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { rolearn: 'arn:aws:iam::777788889999:role/eks-delegate', username: 'eks-delegate', groups: ['delegate-readers'] },
      { rolearn: 'arn:aws:iam::777788889999:role/ops-admin', username: 'ops-admin', groups: ['system:masters'] },
    ]);
    expect(result).toMatchObject({ added: 1, kept: 2, skipped: 2 });
  });

  it('merges mapUsers by userarn and mapAccounts by value; other keys keep the target value', () => {
    const result = mergeAwsAuth(
      { mapUsers: '- userarn: arn:aws:iam::777788889999:user/bob\n  username: bob\n', mapAccounts: '- "777788889999"\n', custom: 'target' },
      { mapUsers: '- userarn: arn:aws:iam::777788889999:user/alice\n  username: alice\n', mapAccounts: '- "777788889999"\n- "444455556666"\n', custom: 'source', extra: 'x' },
    );
    expect(parse(result.data['mapUsers'] ?? '')).toEqual([
      { userarn: 'arn:aws:iam::777788889999:user/bob', username: 'bob' },
      { userarn: 'arn:aws:iam::777788889999:user/alice', username: 'alice' },
    ]);
    expect(parse(result.data['mapAccounts'] ?? '')).toEqual(['777788889999', '444455556666']);
    expect(result.data['custom']).toBe('target');
    expect(result.data['extra']).toBe('x');
    expect(result).toMatchObject({ added: 2, kept: 2, skipped: 1 });
  });

  it('keeps the target text as written when the source adds nothing', () => {
    const result = mergeAwsAuth({ mapRoles: TARGET_ROLES }, { mapRoles: '- rolearn: arn:aws:iam::777788889999:role/eks-delegate\n' });
    expect(result.data['mapRoles']).toBe(TARGET_ROLES);
    expect(result.added).toBe(0);
  });

  it('takes the source entries when the target has none', () => {
    const result = mergeAwsAuth(undefined, { mapRoles: SOURCE_ROLES });
    expect(parse(result.data['mapRoles'] ?? '')).toHaveLength(2);
    expect(result).toMatchObject({ added: 2, kept: 0, skipped: 1 });
  });

  it('refuses a list key that is not a YAML list, naming the side and the key', () => {
    const errorOf = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        return error;
      }
      throw new Error('no error thrown');
    };
    const targetError = errorOf(() => mergeAwsAuth({ mapRoles: 'rolearn: x' }, { mapRoles: SOURCE_ROLES }));
    expect(targetError).toBeInstanceOf(AwsAuthMergeError);
    expect(targetError).toMatchObject({ side: 'target', key: 'mapRoles' });
    expect(errorOf(() => mergeAwsAuth({ mapRoles: TARGET_ROLES }, { mapRoles: '- [unclosed' }))).toMatchObject({ side: 'source', key: 'mapRoles' });
  });
});
