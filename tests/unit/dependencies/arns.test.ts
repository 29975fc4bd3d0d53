import { classifyArn, findArns, parseArn, partitionOfRegion, regionOfZone } from '../../../lib/dependencies/arns';

describe('ARN grammar', () => {
  it.each([
    ['arn:aws:iam::111122223333:role/service-role/app', 'iam', '', '111122223333'],
    ['arn:aws:s3:::my-bucket', 's3', '', ''],
    ['arn:aws:sns:us-west-2:111122223333:order-events', 'sns', 'us-west-2', '111122223333'],
    ['arn:aws-cn:sqs:cn-north-1:111122223333:queue', 'sqs', 'cn-north-1', '111122223333'],
    ['arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'kms', 'us-gov-west-1', '111122223333'],
    ['arn:aws-iso-b:ecr:us-isob-east-1:111122223333:repository/app', 'ecr', 'us-isob-east-1', '111122223333'],
    ['arn:aws:secretsmanager:us-west-2:111122223333:secret:prod/db-AbCdEf', 'secretsmanager', 'us-west-2', '111122223333'],
    ['arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0', 'ec2', 'us-east-1', ''],
  ])('accepts %s', (arn, service, region, account) => {
    expect(parseArn(arn)).toEqual(expect.objectContaining({ arn, service, region, account }));
  });

  it.each([
    ['a short account', 'arn:aws:iam::12345:role/x'],
    ['all parts empty', 'arn:aws::::'],
    ['a look-alike partition', 'arn:aws-fake:sns:us-west-2:111122223333:topic'],
    ['a partition without hyphen', 'arn:awscn:sns:cn-north-1:111122223333:topic'],
    ['an IAM ARN with a region', 'arn:aws:iam:us-east-1:111122223333:role/x'],
    ['an IAM ARN without account', 'arn:aws:iam:::role/x'],
    ['a regional service without region', 'arn:aws:sqs::111122223333:queue'],
    ['a regional service without account', 'arn:aws:sns:us-west-2::topic'],
    ['a malformed region', 'arn:aws:sns:uswest2:111122223333:topic'],
    ['an S3 bucket ARN with an account', 'arn:aws:s3::111122223333:bucket'],
    ['an invalid bucket name', 'arn:aws:s3:::My_Bucket'],
    ['a wildcard', 'arn:aws:sns:us-west-2:111122223333:*'],
    ['too few parts', 'arn:aws:sns:us-west-2:111122223333'],
    ['an empty resource', 'arn:aws:sns:us-west-2:111122223333:'],
    ['a non-digit account', 'arn:aws:sqs:us-west-2:11112222333x:queue'],
  ])('rejects %s', (_why, arn) => {
    expect(parseArn(arn)).toBeUndefined();
  });

  it('finds each ARN of a comma-separated list and of free text', () => {
    const text =
      'arn:aws:acm:us-west-2:111122223333:certificate/a,arn:aws:acm:us-west-2:111122223333:certificate/b ' +
      'see "arn:aws:sns:us-west-2:111122223333:topic". notarn:aws:sns:us-west-2:111122223333:x';
    expect(findArns(text).map((a) => a.arn)).toEqual([
      'arn:aws:acm:us-west-2:111122223333:certificate/a',
      'arn:aws:acm:us-west-2:111122223333:certificate/b',
      'arn:aws:sns:us-west-2:111122223333:topic',
    ]);
  });

  it('skips templated ARNs rather than recording their prefix', () => {
    expect(findArns('arn:aws:iam::111122223333:role/${ROLE_NAME} and arn:aws:iam::111122223333:role/{{ .Values.role }}')).toEqual([]);
  });

  it('types ARNs by service and resource', () => {
    const types = [
      'arn:aws:iam::111122223333:role/app',
      'arn:aws:iam::111122223333:user/alice',
      'arn:aws:ecr:us-west-2:111122223333:repository/team/app',
      'arn:aws:acm:us-west-2:111122223333:certificate/abc',
      'arn:aws:wafv2:us-west-2:111122223333:regional/webacl/acl/id',
      'arn:aws:waf-regional:us-west-2:111122223333:webacl/0c1d2e3f',
      'arn:aws:kms:us-west-2:111122223333:alias/ebs',
      'arn:aws:ec2:us-west-2:111122223333:volume/vol-0a1b2c3d4e5f67890',
      'arn:aws:ec2:us-west-2:111122223333:security-group/sg-0123456789abcdef0',
      'arn:aws:elasticfilesystem:us-west-2:111122223333:access-point/fsap-0123456789abcdef0',
      'arn:aws:s3:::bucket-name/some/key',
      'arn:aws:dynamodb:us-west-2:111122223333:table/orders',
    ].map((arn) => {
      const parsed = parseArn(arn);
      return parsed ? classifyArn(parsed) : undefined;
    });
    expect(types).toEqual([
      { type: 'iam-role', id: 'arn:aws:iam::111122223333:role/app' },
      { type: 'arn:iam', id: 'arn:aws:iam::111122223333:user/alice' },
      { type: 'ecr-repository', id: 'arn:aws:ecr:us-west-2:111122223333:repository/team/app' },
      { type: 'acm-certificate', id: 'arn:aws:acm:us-west-2:111122223333:certificate/abc' },
      { type: 'wafv2-web-acl', id: 'arn:aws:wafv2:us-west-2:111122223333:regional/webacl/acl/id' },
      { type: 'waf-regional-web-acl', id: 'arn:aws:waf-regional:us-west-2:111122223333:webacl/0c1d2e3f' },
      { type: 'kms-key', id: 'arn:aws:kms:us-west-2:111122223333:alias/ebs' },
      { type: 'ebs-volume', id: 'vol-0a1b2c3d4e5f67890' },
      { type: 'ec2-security-group', id: 'sg-0123456789abcdef0' },
      { type: 'efs-access-point', id: 'fsap-0123456789abcdef0' },
      { type: 's3-bucket', id: 'arn:aws:s3:::bucket-name' },
      { type: 'arn:dynamodb', id: 'arn:aws:dynamodb:us-west-2:111122223333:table/orders' },
    ]);
  });

  it('does not record AWS-owned ARNs such as managed policies', () => {
    const parsed = parseArn('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(parsed).toBeDefined();
    expect(parsed && classifyArn(parsed)).toBeUndefined();
  });

  it('derives regions from zones and partitions from regions', () => {
    expect(['us-east-1a', 'us-west-2-lax-1a', 'us-east-1-wl1-bos-wlz-1', 'eu-central-1c', 'zone'].map(regionOfZone)).toEqual([
      'us-east-1', 'us-west-2', 'us-east-1', 'eu-central-1', undefined,
    ]);
    expect(['cn-northwest-1', 'us-gov-east-1', 'us-east-1', undefined].map(partitionOfRegion)).toEqual(['aws-cn', 'aws-us-gov', 'aws', 'aws']);
  });
});
