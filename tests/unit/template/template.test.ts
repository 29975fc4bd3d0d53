import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findBuildProblems, findConditionProblems, findReferenceProblems, findWildcardGrants, iamStatements, isObject,
  parseTemplate, possibleValues, repoFileReader, walk, type CfnObject, type CfnValue, type FileReader,
} from './templateChecks';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const TEMPLATE_TEXT = readFileSync(join(REPO_ROOT, 'template.yaml'), 'utf8');

/**
 * Actions that may be granted on Resource "*", each because IAM offers nothing narrower for it.
 */
const ALLOWED_ON_ANY_RESOURCE = new Set([
  // No resource type exists for GetCallerIdentity (it needs no permission at all; the EKS token presigns it).
  'sts:GetCallerIdentity',
  // Lambda's VPC networking, as in AWSLambdaVPCAccessExecutionRole: Lambda creates and deletes the function's
  // ENIs itself, before their ids exist, and the Describe calls support no resource-level permission.
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  // Readiness's lookups of EBS volumes and snapshots and security groups: EC2 Describe calls have no resource type.
  'ec2:DescribeVolumes',
  'ec2:DescribeSnapshots',
  'ec2:DescribeSecurityGroups',
]);

const template = parseTemplate(TEMPLATE_TEXT);

function get(value: CfnValue | undefined, ...path: string[]): CfnValue | undefined {
  let current = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current;
}

function resource(name: string): CfnObject {
  const found = get(template, 'Resources', name);
  if (!isObject(found)) throw new Error(`no resource ${name}`);
  return found;
}

/** The template with one piece of text replaced, re-parsed: a broken variant for the checks to catch. */
function broken(search: string | RegExp, replacement: string): CfnObject {
  const text = TEMPLATE_TEXT.replace(search, replacement);
  if (text === TEMPLATE_TEXT) throw new Error(`${String(search)} not found in template.yaml`);
  return parseTemplate(text);
}

function statementWithSid(sid: string): CfnObject {
  const found = iamStatements(template).find((s) => s.statement.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found.statement;
}

describe('template.yaml parses', () => {
  it('parses with the CloudFormation short-form tags into long-form intrinsics', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(get(template, 'Resources', 'Function', 'Properties', 'Role')).toEqual({ 'Fn::GetAtt': ['Role', 'Arn'] });
    expect(get(template, 'Conditions', 'HasKmsKey')).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'RecoveryKmsKeyArn' }, ''] }] });
  });

  it('parses every short-form tag in scalar, sequence and mapping form', () => {
    const parsed = parseTemplate([
      'a: !GetAtt Res.Attr.Nested', 'b: !GetAtt [Res, Attr]', 'c: !Sub "x${Y}"', 'd: !Sub ["${v}", {v: !Ref P}]',
      'e: !Condition C', 'f: !Base64 {"Fn::Sub": "z"}', 'g: !GetAZs ""', 'h: !Select [0, !Split [",", !ImportValue X]]',
      'i: !Cidr [!Ref P, 6, 5]', 'j: !FindInMap [M, K, V]', 'k: !If [C, !Join ["", [a]], !Ref AWS::NoValue]',
      'l: !Or [!And [!Condition C, !Condition C], !Not [!Equals [a, b]]]',
    ].join('\n'));
    expect(parsed).toEqual({
      a: { 'Fn::GetAtt': ['Res', 'Attr.Nested'] }, b: { 'Fn::GetAtt': ['Res', 'Attr'] }, c: { 'Fn::Sub': 'x${Y}' },
      d: { 'Fn::Sub': ['${v}', { v: { Ref: 'P' } }] }, e: { Condition: 'C' }, f: { 'Fn::Base64': { 'Fn::Sub': 'z' } },
      g: { 'Fn::GetAZs': '' }, h: { 'Fn::Select': [0, { 'Fn::Split': [',', { 'Fn::ImportValue': 'X' }] }] },
      i: { 'Fn::Cidr': [{ Ref: 'P' }, 6, 5] }, j: { 'Fn::FindInMap': ['M', 'K', 'V'] },
      k: { 'Fn::If': ['C', { 'Fn::Join': ['', ['a']] }, { Ref: 'AWS::NoValue' }] },
      l: { 'Fn::Or': [{ 'Fn::And': [{ Condition: 'C' }, { Condition: 'C' }] }, { 'Fn::Not': [{ 'Fn::Equals': ['a', 'b'] }] }] },
    });
  });

  it('rejects a tag CloudFormation does not have', () => {
    expect(() => parseTemplate('a: !Reff X')).toThrow(/Reff/);
  });
});

describe('references', () => {
  it('every Ref, GetAtt and Sub names a parameter, resource or pseudo parameter', () => {
    expect(findReferenceProblems(template)).toEqual([]);
  });

  it('catches a dangling !Ref', () => {
    expect(findReferenceProblems(broken('MemorySize: !Ref MemorySize', 'MemorySize: !Ref MemorySizeMb')))
      .toEqual(['Resources.Function.Properties.MemorySize: Ref names unknown parameter, resource or pseudo parameter "MemorySizeMb"']);
  });

  it('catches a GetAtt on a missing resource, a dangling ${X} and ${X.Attr} in a Sub, and a Ref to a resource in a condition', () => {
    const problems = findReferenceProblems(broken('Role: !GetAtt Role.Arn', 'Role: !GetAtt ExecRole.Arn'));
    expect(problems).toEqual(['Resources.Function.Properties.Role: GetAtt names unknown resource "ExecRole"']);
    expect(findReferenceProblems(broken("'${RoleNamePrefix}-${AWS::AccountId}", "'${RolePrefix}-${AWS::AccountId}")))
      .toEqual([expect.stringContaining('Sub names unknown parameter, resource or pseudo parameter "RolePrefix"')]);
    expect(findReferenceProblems(broken('--arn ${Role.Arn} --group', '--arn ${TheRole.Arn} --group')))
      .toEqual([expect.stringContaining('Sub names unknown resource "TheRole"')]);
    expect(findReferenceProblems(broken("HasKmsKey: !Not [!Equals [!Ref RecoveryKmsKeyArn, '']]", "HasKmsKey: !Not [!Equals [!Ref Role, '']]")))
      .toEqual(['Conditions.HasKmsKey.Fn::Not[0].Fn::Equals[0]: a condition cannot Ref resource "Role"']);
  });

  it('does not treat ${!Literal} in a Sub as a reference', () => {
    expect(findReferenceProblems(parseTemplate('Resources: {A: {Type: X, Properties: {P: !Sub "${!NotARef}"}}}'))).toEqual([]);
  });

  it('every condition used exists, and a missing one is caught', () => {
    expect(findConditionProblems(template)).toEqual([]);
    expect(findConditionProblems(broken('Condition: CreateS3GatewayEndpoint', 'Condition: CreateS3Endpoint')))
      .toEqual(['Resources.S3GatewayEndpoint.Condition: unknown condition "CreateS3Endpoint"']);
    expect(findConditionProblems(broken('- !Condition HasRouteTables', '- !Condition HasRouteTable')))
      .toEqual([expect.stringContaining('unknown condition "HasRouteTable"')]);
    expect(findConditionProblems(broken(/- HasKmsKey\n/, '- HasKey\n')))
      .toEqual([expect.stringContaining('Fn::If: unknown condition "HasKey"')]);
  });
});

describe('function and build', () => {
  const fn = resource('Function');
  const props = get(fn, 'Properties');

  it('builds with the project\'s own build (make build-Function runs scripts/build.mjs), and the Handler loads that bundle', () => {
    expect(get(fn, 'Metadata', 'BuildMethod')).toBe('makefile');
    expect(get(fn, 'Metadata', 'BuildProperties')).toBeUndefined();
    expect(get(props, 'Handler')).toBe('index.handler');
    expect(findBuildProblems(template, repoFileReader(REPO_ROOT))).toEqual([]);
  });

  it('catches SAM\'s own esbuild, a missing target, a recipe without scripts/build.mjs, a Handler naming another file, a missing export', () => {
    const makefile = readFileSync(join(REPO_ROOT, 'Makefile'), 'utf8');
    const files = (make: string, handler = 'export const handler = async () => ({});'): FileReader => (p) => ({ Makefile: make, 'handlers/delegate.ts': handler, 'handlers/durableRestore.ts': handler } as Record<string, string>)[p];
    expect(findBuildProblems(template, files(makefile))).toEqual([]);
    expect(findBuildProblems(broken('BuildMethod: makefile', 'BuildMethod: esbuild'), files(makefile)))
      .toEqual(['Resources.Function.Metadata.BuildMethod: "esbuild" is not the project\'s build (makefile running scripts/build.mjs)']);
    expect(findBuildProblems(template, files(makefile.replace('build-Function:', 'build-Other:'))))
      .toEqual(['Resources.Function: Makefile has no target build-Function']);
    expect(findBuildProblems(template, files(makefile.replace('node scripts/build.mjs', 'npx esbuild handlers/delegate.ts --bundle --outfile=dist/delegate/index.js'))))
      .toEqual(['Resources.Function: build-Function does not run node scripts/build.mjs']);
    expect(findBuildProblems(broken('Handler: index.handler', 'Handler: delegate.handler'), files(makefile)))
      .toEqual(['Resources.Function.Properties.Handler: "delegate.handler" loads delegate.js but build-Function writes index.js']);
    expect(findBuildProblems(template, files(makefile, 'export const handle = 1; const handler = 2;')))
      .toEqual(['Resources.Function: handlers/delegate.ts does not export "handler"', 'Resources.DurableRestoreFunction: handlers/durableRestore.ts does not export "handler"']);
    expect(findBuildProblems(template, () => undefined)).toEqual(['Resources.Function: Makefile does not exist', 'Resources.DurableRestoreFunction: Makefile does not exist']);
  });

  it('runs on nodejs22.x with memory and a timeout of at most 900 s from parameters', () => {
    expect(get(props, 'Runtime')).toBe('nodejs22.x');
    expect(get(props, 'MemorySize')).toEqual({ Ref: 'MemorySize' });
    expect(get(props, 'Timeout')).toEqual({ Ref: 'Timeout' });
    expect(get(template, 'Parameters', 'Timeout', 'MaxValue')).toBe(900);
    expect(get(template, 'Parameters', 'Timeout', 'Default')).toBeLessThanOrEqual(900);
  });

  it('passes the configuration in the environment', () => {
    expect(get(props, 'Environment', 'Variables')).toEqual({
      CLUSTER_NAME: { Ref: 'ClusterName' },
      RECOVERY_BUCKET: { Ref: 'RecoveryBucket' },
      RECOVERY_PREFIX: { Ref: 'RecoveryPrefix' },
      RECOVERY_KMS_KEY_ID: { Ref: 'RecoveryKmsKeyArn' },
      SECRETS_KMS_KEY_ID: { Ref: 'SecretsKmsKeyArn' },
      RETENTION_KEEP_LAST: { Ref: 'RetentionKeepLast' },
      RETENTION_KEEP_DAYS: { Ref: 'RetentionKeepDays' },
      RPO_TARGET_MINUTES: { Ref: 'RpoTargetMinutes' },
      RTO_TARGET_MINUTES: { Ref: 'RtoTargetMinutes' },
      POWERTOOLS_SERVICE_NAME: 'eks-delegate',
      POWERTOOLS_METRICS_NAMESPACE: { Ref: 'MetricsNamespace' },
      POWERTOOLS_LOG_LEVEL: { Ref: 'LogLevel' },
      DELEGATE_IN_VPC: { 'Fn::If': ['HasVpcConfig', 'true', 'false'] },
      DURABLE_RESTORE_FUNCTION: { Ref: 'DurableRestoreFunction.Alias' },
      // For glibc, not the delegate: large buffers mapped, not fragmenting the heap (bench/lambdaRuntime.ts).
      MALLOC_MMAP_THRESHOLD_: '131072',
    });
    expect(get(template, 'Parameters', 'RecoveryKmsKeyArn', 'Default')).toBe('');
    expect(get(template, 'Parameters', 'SecretsKmsKeyArn', 'Default')).toBe('');
  });

  it('attaches the function to the VPC only when subnets are given', () => {
    expect(get(props, 'VpcConfig')).toEqual({
      'Fn::If': ['HasVpcConfig', { SubnetIds: { Ref: 'SubnetIds' }, SecurityGroupIds: { Ref: 'SecurityGroupIds' } }, { Ref: 'AWS::NoValue' }],
    });
    expect(get(template, 'Conditions', 'HasVpcConfig')).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', { Ref: 'SubnetIds' }] }, ''] }] });
  });
});

describe('durable restore function', () => {
  const props = get(resource('DurableRestoreFunction'), 'Properties');

  it('is a durable function on nodejs22.x with its execution timeout from a parameter (a few hours by default), invoked through an alias', () => {
    expect(get(props, 'Runtime')).toBe('nodejs22.x');
    expect(get(props, 'Handler')).toBe('index.handler');
    expect(get(props, 'DurableConfig')).toEqual({ ExecutionTimeout: { Ref: 'RestoreExecutionTimeout' }, RetentionPeriodInDays: 14 });
    expect(get(template, 'Parameters', 'RestoreExecutionTimeout', 'Default')).toBe(14_400);
    expect(get(props, 'AutoPublishAlias')).toBe('live');
    expect(get(props, 'Role')).toEqual({ 'Fn::GetAtt': ['Role', 'Arn'] });
  });

  it('lets the role checkpoint and read the state of its executions, and start them, on that function only', () => {
    const statements = get(resource('DurableRestorePolicy'), 'Properties', 'PolicyDocument', 'Statement') as CfnObject[];
    expect(statements.map((st) => [get(st, 'Action'), get(st, 'Resource')])).toEqual([
      [['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'], { 'Fn::Sub': '${DurableRestoreFunction.Arn}:*' }],
      ['lambda:InvokeFunction', { 'Fn::Sub': '${DurableRestoreFunction.Arn}:*' }],
      [['logs:CreateLogStream', 'logs:PutLogEvents'], { 'Fn::GetAtt': ['DurableRestoreLogGroup', 'Arn'] }],
    ]);
    expect(get(resource('DurableRestorePolicy'), 'Properties', 'RoleName')).toEqual({ Ref: 'Role' });
  });
});

describe('execution role', () => {
  it('is named <prefix>-<account>-<region> with the prefix defaulting to ArpioPrimaryK8sDel, without a path', () => {
    const role = resource('Role');
    expect(get(role, 'Properties', 'RoleName')).toEqual({ 'Fn::Sub': '${RoleNamePrefix}-${AWS::AccountId}-${AWS::Region}' });
    expect(get(role, 'Properties', 'Path')).toBeUndefined();
    expect(get(template, 'Parameters', 'RoleNamePrefix', 'Default')).toBe('ArpioPrimaryK8sDel');
    expect(get(resource('Function'), 'Properties', 'Role')).toEqual({ 'Fn::GetAtt': ['Role', 'Arn'] });
  });

  it('grants "*" only for actions that support no resource-level permission', () => {
    expect(findWildcardGrants(template, ALLOWED_ON_ANY_RESOURCE)).toEqual([]);
  });

  it('catches a "*" resource on s3:PutObject and a wildcard action', () => {
    const s3Star = broken("Resource: !Sub 'arn:${AWS::Partition}:s3:::${RecoveryBucket}/${RecoveryPrefix}*'", "Resource: '*'");
    expect(findWildcardGrants(s3Star, ALLOWED_ON_ANY_RESOURCE)).toEqual([
      'Resources.Role.Properties.Policies[0].PolicyDocument.Statement[4]: "s3:PutObject" is granted on Resource "*" but the API allows a narrower resource',
      'Resources.Role.Properties.Policies[0].PolicyDocument.Statement[4]: "s3:GetObject" is granted on Resource "*" but the API allows a narrower resource',
      'Resources.Role.Properties.Policies[0].PolicyDocument.Statement[4]: "s3:AbortMultipartUpload" is granted on Resource "*" but the API allows a narrower resource',
      'Resources.Role.Properties.Policies[0].PolicyDocument.Statement[4]: "s3:ListMultipartUploadParts" is granted on Resource "*" but the API allows a narrower resource',
    ]);
    expect(findWildcardGrants(broken('Action: lambda:InvokeFunction', "Action: 'lambda:*'"), ALLOWED_ON_ANY_RESOURCE))
      .toEqual([expect.stringContaining('wildcard action "lambda:*"')]);
  });

  it('looks inside Fn::If branches: a "*" in the conditional KMS statement is caught', () => {
    expect(findWildcardGrants(broken('Resource: !Ref RecoveryKmsKeyArn', "Resource: '*'"), ALLOWED_ON_ANY_RESOURCE))
      .toHaveLength(3);
  });

  it('scopes EKS to this cluster and its pod identity associations', () => {
    expect(statementWithSid('DescribeCluster')).toMatchObject({
      Action: ['eks:DescribeCluster', 'eks:ListPodIdentityAssociations'],
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/${ClusterName}' },
    });
    expect(statementWithSid('DescribePodIdentityAssociations')).toMatchObject({
      Action: 'eks:DescribePodIdentityAssociation',
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:podidentityassociation/${ClusterName}/*' },
    });
  });

  it('scopes S3 to the bucket and prefix, listing only under the prefix', () => {
    expect(statementWithSid('RecoveryPointObjects')).toEqual({
      Sid: 'RecoveryPointObjects', Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${RecoveryBucket}/${RecoveryPrefix}*' },
    });
    expect(statementWithSid('ListRecoveryPoints')).toEqual({
      Sid: 'ListRecoveryPoints', Effect: 'Allow', Action: 's3:ListBucket',
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${RecoveryBucket}' },
      Condition: { StringLike: { 's3:prefix': { 'Fn::Sub': '${RecoveryPrefix}*' } } },
    });
  });

  it('grants s3:DeleteObject only on the prefix, and only when a retention limit is set', () => {
    const policies = get(resource('Role'), 'Properties', 'Policies');
    const statements = Array.isArray(policies) ? get(policies[0], 'PolicyDocument', 'Statement') : undefined;
    const grantsDelete = (s: CfnValue) => JSON.stringify(s).includes('s3:DeleteObject');
    const deletes = Array.isArray(statements) ? statements.filter(grantsDelete) : [];
    expect(deletes).toEqual([{ 'Fn::If': ['HasRetention', {
      Sid: 'RetentionDeletes', Effect: 'Allow', Action: 's3:DeleteObject',
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${RecoveryBucket}/${RecoveryPrefix}*' },
    }, { Ref: 'AWS::NoValue' }] }]);
    expect(get(template, 'Conditions', 'HasRetention')).toEqual({ 'Fn::Or': [
      { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'RetentionKeepLast' }, ''] }] },
      { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'RetentionKeepDays' }, ''] }] },
    ] });
    // Nothing else in the template grants a delete.
    expect(iamStatements(template).filter((s) => grantsDelete(s.statement)).map((s) => s.statement.Sid)).toEqual(['RetentionDeletes']);
    for (const p of ['RetentionKeepLast', 'RetentionKeepDays']) {
      expect(get(template, 'Parameters', p, 'Default')).toBe('');
      const pattern = new RegExp(String(get(template, 'Parameters', p, 'AllowedPattern')));
      expect(['', '1', '30'].every((v) => pattern.test(v))).toBe(true);
      expect(['0', '-1', 'x', '1.5'].some((v) => pattern.test(v))).toBe(false);
    }
    expect(get(resource('Function'), 'Properties', 'Environment', 'Variables')).toMatchObject({
      RETENTION_KEEP_LAST: { Ref: 'RetentionKeepLast' }, RETENTION_KEEP_DAYS: { Ref: 'RetentionKeepDays' },
    });
  });

  it('grants read-only access to the restore source buckets, and only when some are given', () => {
    const statements = get(resource('Role'), 'Properties', 'Policies');
    const list = Array.isArray(statements) ? get(statements[0], 'PolicyDocument', 'Statement') : undefined;
    const restore = Array.isArray(list) ? list.filter((s) => JSON.stringify(s).includes('RestoreSourceRead')) : [];
    expect(restore).toEqual([{ 'Fn::If': ['HasRestoreSources', {
      Sid: 'RestoreSourceRead', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: { 'Fn::Split': [',', { 'Fn::Sub': ['${Buckets},${Objects}/*', {
        Buckets: { 'Fn::Join': [',', { Ref: 'RestoreSourceBucketArns' }] },
        Objects: { 'Fn::Join': ['/*,', { Ref: 'RestoreSourceBucketArns' }] },
      }] }] },
    }, { Ref: 'AWS::NoValue' }] }]);
    // What CloudFormation makes of it for two buckets: each bucket, and the objects in each.
    const arns = ['arn:aws:s3:::prod-recovery', 'arn:aws:s3:::replica'];
    expect(`${arns.join(',')},${arns.join('/*,')}/*`.split(',')).toEqual([...arns, ...arns.map((a) => `${a}/*`)]);
    const pattern = new RegExp(String(get(template, 'Parameters', 'RestoreSourceBucketArns', 'AllowedPattern')));
    expect(['', 'arn:aws:s3:::prod-recovery', 'arn:aws-cn:s3:::b.cn'].every((v) => pattern.test(v))).toBe(true);
    expect(['arn:aws:s3:::*', 'arn:aws:s3:::b/*', 'prod-recovery', 'arn:aws:s3:::B'].some((v) => pattern.test(v))).toBe(false);
    expect(get(template, 'Conditions', 'HasRestoreSources')).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', { Ref: 'RestoreSourceBucketArns' }] }, ''] }] });
  });

  it('gives the function the /tmp a restore spools to, from a parameter', () => {
    expect(get(resource('Function'), 'Properties', 'EphemeralStorage')).toEqual({ Size: { Ref: 'EphemeralStorageMb' } });
    expect(get(template, 'Parameters', 'EphemeralStorageMb')).toMatchObject({ Type: 'Number', MinValue: 512, MaxValue: 10240 });
  });

  it('grants KMS on the given key only, and only when a key is given', () => {
    const statements = get(resource('Role'), 'Properties', 'Policies');
    const kms = Array.isArray(statements) ? get(statements[0], 'PolicyDocument', 'Statement') : undefined;
    const conditional = Array.isArray(kms) ? kms.find((s) => {
      const branches = get(s, 'Fn::If');
      return Array.isArray(branches) && branches[0] === 'HasKmsKey';
    }) : undefined;
    expect(get(conditional, 'Fn::If')).toEqual(['HasKmsKey', expect.objectContaining({
      Action: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'], Resource: { Ref: 'RecoveryKmsKeyArn' },
    }), { Ref: 'AWS::NoValue' }]);
  });

  it('grants only GenerateDataKey and Decrypt on the Secrets key, with the delegate\'s encryption context, only when one is given', () => {
    const policies = get(resource('Role'), 'Properties', 'Policies');
    const statements = Array.isArray(policies) ? get(policies[0], 'PolicyDocument', 'Statement') : undefined;
    const branch = (condition: string) => (Array.isArray(statements) ? statements.find((s) => {
      const branches = get(s, 'Fn::If');
      return Array.isArray(branches) && branches[0] === condition;
    }) : undefined);
    const context = { 'Null': { 'kms:EncryptionContext:eks-delegate:recovery-point': 'false' } };
    expect(get(branch('HasSecretsKmsKey'), 'Fn::If')).toEqual(['HasSecretsKmsKey', {
      Sid: 'SecretsEnvelopeKey', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { Ref: 'SecretsKmsKeyArn' }, Condition: context,
    }, { Ref: 'AWS::NoValue' }]);
    expect(get(template, 'Conditions', 'HasSecretsKmsKey')).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'SecretsKmsKeyArn' }, ''] }] });
    // A restore of another account's recovery points may open their Secrets, never seal with that key.
    expect(get(branch('HasRestoreSecretsKeys'), 'Fn::If')).toEqual(['HasRestoreSecretsKeys', {
      Sid: 'RestoreSecretsKeys', Effect: 'Allow', Action: 'kms:Decrypt', Resource: { Ref: 'RestoreSecretsKmsKeyArns' }, Condition: context,
    }, { Ref: 'AWS::NoValue' }]);
    expect(get(template, 'Parameters', 'RestoreSecretsKmsKeyArns')).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
    expect(findWildcardGrants(broken('Resource: !Ref SecretsKmsKeyArn', "Resource: '*'"), ALLOWED_ON_ANY_RESOURCE)).not.toEqual([]);
  });

  it('grants VPC networking only when the function is in a VPC', () => {
    const policies = get(resource('Role'), 'Properties', 'Policies');
    const vpc = Array.isArray(policies) ? policies[1] : undefined;
    expect(get(vpc, 'Fn::If')).toEqual(['HasVpcConfig', expect.objectContaining({ PolicyName: 'vpc-access' }), { Ref: 'AWS::NoValue' }]);
  });

  it('uses partition-aware ARNs in every resource and output', () => {
    const literalArns = (t: CfnObject): string[] => {
      const found: string[] = [];
      for (const part of ['Resources', 'Outputs']) {
        walk(get(t, part) ?? null, (value, path) => {
          if (typeof value === 'string' && /arn:aws(-cn|-us-gov)?:/.test(value)) found.push(`${part}.${path}`);
        });
      }
      return found;
    };
    expect(literalArns(template)).toEqual([]);
    expect(literalArns(broken("'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/", "'arn:aws:eks:${AWS::Region}:${AWS::AccountId}:cluster/")))
      .toEqual(['Resources.Role.Properties.Policies[0].PolicyDocument.Statement[2].Resource.Fn::Sub']);
  });
});

describe('schedule', () => {
  const schedule = resource('Schedule');

  it('invokes the function with {"action":"backup"} on the schedule expression, with no flexible window', () => {
    expect(schedule.Type).toBe('AWS::Scheduler::Schedule');
    const target = get(schedule, 'Properties', 'Target');
    expect(get(target, 'Arn')).toEqual({ 'Fn::GetAtt': ['Function', 'Arn'] });
    const input = get(target, 'Input');
    expect(typeof input === 'string' ? JSON.parse(input) : input).toEqual({ action: 'backup' });
    expect(get(schedule, 'Properties', 'FlexibleTimeWindow')).toEqual({ Mode: 'OFF' });
    expect(get(schedule, 'Properties', 'ScheduleExpression')).toEqual({ Ref: 'ScheduleExpression' });
    expect(get(template, 'Parameters', 'ScheduleExpression', 'Default')).toBe('rate(1 day)');
    expect(get(schedule, 'Properties', 'State')).toEqual({ Ref: 'ScheduleState' });
    expect(get(template, 'Parameters', 'ScheduleState', 'AllowedValues')).toEqual(['ENABLED', 'DISABLED']);
  });

  it("has a role of its own that may only invoke this function", () => {
    expect(get(schedule, 'Properties', 'Target', 'RoleArn')).toEqual({ 'Fn::GetAtt': ['ScheduleRole', 'Arn'] });
    const grants = iamStatements({ ScheduleRole: resource('ScheduleRole') }).filter((s) => 'Resource' in s.statement);
    expect(grants.map((g) => g.statement)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['Function', 'Arn'] } },
    ]);
  });
});

describe('readiness (recovery stack)', () => {
  const readinessPolicy = (): CfnValue | undefined => {
    const policies = get(resource('Role'), 'Properties', 'Policies');
    const found = Array.isArray(policies) ? policies.find((p) => JSON.stringify(p).includes('readiness-lookups')) : undefined;
    return found;
  };

  it('invokes the function with a readiness event for the source cluster, on its own schedule, off by default', () => {
    const schedule = resource('ReadinessSchedule');
    expect(schedule.Condition).toBe('HasReadiness');
    expect(get(schedule, 'Properties', 'State')).toEqual({ Ref: 'ReadinessScheduleState' });
    expect(get(template, 'Parameters', 'ReadinessScheduleState', 'Default')).toBe('DISABLED');
    expect(get(template, 'Parameters', 'ReadinessScheduleExpression', 'Default')).toBe('rate(1 day)');
    const sub = get(schedule, 'Properties', 'Target', 'Input', 'Fn::Sub');
    const text = Array.isArray(sub) ? String(sub[0]) : '';
    const event = JSON.parse(text.replace(/\$\{([A-Za-z]+)\}/g, 'X')) as { action: string; source: Record<string, string> };
    expect(event).toEqual({ action: 'readiness', source: { clusterName: 'X', bucket: 'X', region: 'X', prefix: 'X' } });
  });

  it('grants only read calls for the lookups, and only in a recovery stack', () => {
    const policy = readinessPolicy();
    expect(get(policy, 'Fn::If')).toBeDefined();
    expect((get(policy, 'Fn::If') as CfnValue[])[0]).toBe('HasReadiness');
    const actions = iamStatements({ Role: resource('Role') })
      .filter((s) => String(s.statement.Sid ?? '').startsWith('Readiness'))
      .flatMap((s) => [s.statement.Action].flat().map(String));
    expect(actions.sort()).toEqual([
      'acm:DescribeCertificate', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSnapshots', 'ec2:DescribeSubnets', 'ec2:DescribeVolumes',
      'ecr:DescribeImages', 'ecr:DescribeRepositories', 'elasticfilesystem:DescribeAccessPoints', 'elasticfilesystem:DescribeFileSystems',
      'iam:GetRole', 'kms:DescribeKey', 'sns:GetTopicAttributes', 'sqs:GetQueueUrl',
    ]);
    for (const a of actions) expect(a).toMatch(/:(Describe|Get)[A-Za-z]+$/);
  });

  it.each([
    ['NotReadyAlarm', 'Ready'], ['ReadinessProblemsAlarm', 'ReadinessProblems'], ['RpoAlarm', 'RecoveryPointAgeSeconds'], ['RtoAlarm', 'EstimatedRtoSeconds'],
  ])('%s watches %s and notifies the alarm topic when one is given', (name, metric) => {
    const alarm = resource(name);
    expect(alarm.Condition).toBe('HasReadiness');
    expect(JSON.stringify(get(alarm, 'Properties'))).toContain(`"MetricName":"${metric}"`);
    expect(get(alarm, 'Properties', 'AlarmActions')).toEqual({ 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] });
    // The handler's dimensions (Powertools' service, and the source cluster): another stack's readiness never counts.
    expect(JSON.stringify(get(alarm, 'Properties'))).toContain('"Dimensions":[{"Name":"service","Value":"eks-delegate"},{"Name":"SourceCluster","Value":{"Ref":"ReadinessSourceClusterName"}}]');
  });

  it('compares the RPO and RTO in minutes with their targets', () => {
    expect(get(resource('RpoAlarm'), 'Properties', 'Threshold')).toEqual({ Ref: 'RpoTargetMinutes' });
    expect(get(resource('RtoAlarm'), 'Properties', 'Threshold')).toEqual({ Ref: 'RtoTargetMinutes' });
    expect(JSON.stringify(get(resource('RpoAlarm'), 'Properties', 'Metrics'))).toContain('"Expression":"age / 60"');
  });
});

describe('VPC endpoints', () => {
  it.each([['EksEndpoint', 'eks'], ['StsEndpoint', 'sts']])('%s is an interface endpoint for %s with private DNS, only on request', (name, service) => {
    const endpoint = resource(name);
    expect(endpoint.Condition).toBe('CreateVpcEndpointsCondition');
    expect(get(endpoint, 'Properties')).toMatchObject({
      VpcEndpointType: 'Interface',
      ServiceName: { 'Fn::Sub': `com.amazonaws.\${AWS::Region}.${service}` },
      PrivateDnsEnabled: true,
      SubnetIds: { Ref: 'SubnetIds' },
    });
  });

  it('S3 gets a gateway endpoint on the given route tables', () => {
    const endpoint = resource('S3GatewayEndpoint');
    expect(possibleValues(endpoint.Condition)).toEqual(['CreateS3GatewayEndpoint']);
    expect(get(endpoint, 'Properties')).toMatchObject({
      VpcEndpointType: 'Gateway', ServiceName: { 'Fn::Sub': 'com.amazonaws.${AWS::Region}.s3' }, RouteTableIds: { Ref: 'RouteTableIds' },
    });
  });

  it('creates them only when asked, with a VPC and subnets', () => {
    expect(get(template, 'Conditions', 'CreateVpcEndpointsCondition')).toEqual({
      'Fn::And': [
        { 'Fn::Equals': [{ Ref: 'CreateVpcEndpoints' }, 'true'] },
        { Condition: 'HasVpcConfig' },
        { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'VpcId' }, ''] }] },
      ],
    });
    expect(get(template, 'Parameters', 'CreateVpcEndpoints', 'Default')).toBe('false');
  });
});

describe('outputs', () => {
  it('gives the function and role ARNs and the commands that grant the role access', () => {
    const outputs = get(template, 'Outputs');
    expect(get(outputs, 'FunctionArn', 'Value')).toEqual({ 'Fn::GetAtt': ['Function', 'Arn'] });
    expect(get(outputs, 'RoleArn', 'Value')).toEqual({ 'Fn::GetAtt': ['Role', 'Arn'] });
    expect(get(outputs, 'EksctlCommand', 'Value')).toEqual({
      'Fn::Sub': 'eksctl create iamidentitymapping --cluster ${ClusterName} --region ${AWS::Region} --arn ${Role.Arn} ' +
        '--group system:masters --username eks-delegate --no-duplicate-arns',
    });
    expect(get(outputs, 'CreateAccessEntryCommand', 'Value', 'Fn::Sub')).toContain('aws eks create-access-entry --cluster-name ${ClusterName}');
    expect(get(outputs, 'AssociateAccessPolicyCommand', 'Value', 'Fn::Sub')).toContain(
      '--policy-arn arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy --access-scope type=cluster');
  });
});
