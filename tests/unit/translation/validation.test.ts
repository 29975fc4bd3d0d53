import { Translator, TranslationConfigError, type AwsLocation, type TranslatorOptions } from '../../../lib/translation';

const SOURCE: AwsLocation = { partition: 'aws', account: '111122223333', region: 'us-west-2' };
const TARGET: AwsLocation = { partition: 'aws', account: '777788889999', region: 'us-east-1' };

function problemsOf(options: Partial<TranslatorOptions>): string[] {
  try {
    Translator.create({ source: SOURCE, target: TARGET, ...options });
    return [];
  } catch (error) {
    if (error instanceof TranslationConfigError) return error.problems;
    throw error;
  }
}

describe('Translator.create validation', () => {
  it.each([
    ['a volume mapped to a file system', { 'vol-0123456789abcdef0': 'fs-0123456789abcdef0' }, 'is not the same kind of identifier as its source (EBS volume ID)'],
    ['an ACM certificate ARN mapped to a KMS key ARN', {
      'arn:aws:acm:us-west-2:111122223333:certificate/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d': 'arn:aws:kms:us-east-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    }, '(acm ARN of certificate)'],
    ['a security group mapped to a name', { 'sg-0123456789abcdef0': 'my-named-sg' }, '(security group ID)'],
    ['a volume ID with a bad shape', { 'vol-0123456789abcdef0': 'vol-123' }, '(EBS volume ID)'],
    ['an empty replacement', { 'subnet-0a1b2c3d4e5f67890': '' }, 'empty or non-string replacement'],
    ['an empty source', { '': 'subnet-0a1b2c3d4e5f67890' }, 'empty source identifier'],
    ['a source that is no identifier', { 'my-bucket': 'other-bucket' }, 'is not an AWS-generated identifier'],
    ['a replacement ARN in another partition', {
      'arn:aws:acm:us-west-2:111122223333:certificate/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d': 'arn:aws-cn:acm:cn-north-1:777788889999:certificate/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d',
    }, 'is in partition aws-cn, the target is in aws'],
    ['a regional WAF ACL mapped to a global one', {
      'arn:aws:wafv2:us-west-2:111122223333:regional/webacl/a/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': 'arn:aws:wafv2:us-east-1:777788889999:global/webacl/a/a1b2c3d4-5678-90ab-cdef-EXAMPLE22222',
    }, '(wafv2 ARN of regional/webacl)'],
  ])('refuses %s', (_what, identifierMap, message) => {
    const problems = problemsOf({ identifierMap });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it.each([
    ['volumes of both ID lengths (an old volume restored to a new one)', { 'vol-0a1b2c3d': 'vol-0fedcba9876543210' }],
    ['EFS file systems and access points', { 'fs-92107410': 'fs-0987dcba', 'fsap-0123456789abcdef0': 'fsap-0fedcba9876543210' }],
    ['ACM certificates', {
      'arn:aws:acm:us-west-2:111122223333:certificate/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d': 'arn:aws:acm:us-east-1:777788889999:certificate/9f8e7d6c-5b4a-3c2d-1e0f-a9b8c7d6e5f4',
    }],
    ['KMS key IDs', { '0987dcba-09fe-87dc-65ba-ab0987654321': '11111111-2222-3333-4444-555555555555' }],
    ['Secrets Manager ARNs', {
      'arn:aws:secretsmanager:us-west-2:111122223333:secret:prod/db-AbCdEf': 'arn:aws:secretsmanager:us-east-1:777788889999:secret:prod/db-GhIjKl',
    }],
  ])('accepts %s', (_what, identifierMap) => {
    expect(problemsOf({ identifierMap })).toEqual([]);
  });

  it('names every bad entry and every bad location field at once', () => {
    const problems = problemsOf({
      source: { partition: 'aws-fake', account: '1234', region: 'us-west-2' },
      target: { partition: 'aws', account: '777788889999', region: 'cn-north-1' },
      mode: 'sometimes' as TranslatorOptions['mode'],
      identifierMap: { 'vol-0123456789abcdef0': 'sg-0123456789abcdef0', 'subnet-0a1b2c3d': 'subnet-x' },
    });
    expect(problems).toEqual([
      'source.partition "aws-fake" is not one of aws, aws-cn, aws-us-gov',
      'source.account "1234" is not a 12-digit account ID',
      'target.region cn-north-1 is not in partition aws',
      'mode "sometimes" is not one of known-fields, everywhere, off',
      'identifierMap["vol-0123456789abcdef0"]: the replacement "sg-0123456789abcdef0" is not the same kind of identifier as its source (EBS volume ID)',
      'identifierMap["subnet-0a1b2c3d"]: the replacement "subnet-x" is not the same kind of identifier as its source (subnet ID)',
    ]);
  });

  it('throws a TranslationConfigError whose message lists the problems', () => {
    expect(() => Translator.create({ source: SOURCE, target: TARGET, identifierMap: { 'vol-0123456789abcdef0': 'nope' } })).toThrow(TranslationConfigError);
  });
});
