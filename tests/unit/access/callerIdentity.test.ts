import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { CallerIdentityError, getCallerIdentity, principalFromArn } from '../../../lib/access';

describe('principalFromArn', () => {
  it('turns an assumed-role session ARN into the role ARN without the session', () => {
    const id = principalFromArn('arn:aws:sts::111122223333:assumed-role/eks-delegate-role/eks-delegate-fn');
    expect(id).toMatchObject({
      roleArn: 'arn:aws:iam::111122223333:role/eks-delegate-role', account: '111122223333',
      principalType: 'assumed-role', sessionName: 'eks-delegate-fn',
    });
  });

  it.each([
    ['aws-cn', 'arn:aws-cn:sts::111122223333:assumed-role/R/s', 'arn:aws-cn:iam::111122223333:role/R'],
    ['aws-us-gov', 'arn:aws-us-gov:sts::111122223333:assumed-role/R/s', 'arn:aws-us-gov:iam::111122223333:role/R'],
  ])('keeps the %s partition', (_p, caller, role) => {
    expect(principalFromArn(caller).roleArn).toBe(role);
  });

  it('keeps session names with @ and = intact', () => {
    expect(principalFromArn('arn:aws:sts::111122223333:assumed-role/R/jane@example.com=x').sessionName).toBe('jane@example.com=x');
  });

  it('warns that a role path cannot be seen and that aws-auth needs the path-less ARN', () => {
    const { warnings } = principalFromArn('arn:aws:sts::111122223333:assumed-role/R/s');
    expect(warnings.join('\n')).toMatch(/never shows an IAM role path.*aws-auth still needs arn:aws:iam::111122223333:role\/R exactly/);
    expect(warnings.join('\n')).toMatch(/aws iam get-role --role-name R/);
  });

  it('points IAM Identity Center roles at their aws-reserved path for access entries', () => {
    const { warnings } = principalFromArn('arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane');
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/aws-reserved\/sso\.amazonaws\.com\//)]));
  });

  it('uses an IAM user ARN as it is, path included', () => {
    expect(principalFromArn('arn:aws:iam::111122223333:user/ops/backup')).toMatchObject({
      roleArn: 'arn:aws:iam::111122223333:user/ops/backup', principalType: 'user',
    });
  });

  it.each([
    ['root', 'arn:aws:iam::111122223333:root', /root cannot be mapped/],
    ['federated-user', 'arn:aws:sts::111122223333:federated-user/bob', /federated user/],
    ['unknown', 'not-an-arn', /not an IAM or STS ARN/],
  ])('recognises a %s principal and says what to do instead', (type, arn, warning) => {
    const id = principalFromArn(arn);
    expect(id.principalType).toBe(type);
    expect(id.warnings.join('\n')).toMatch(warning);
  });
});

describe('getCallerIdentity', () => {
  const sts = mockClient(STSClient);
  afterEach(() => sts.reset());

  it('asks STS and maps the answer', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::111122223333:assumed-role/R/s', Account: '111122223333', UserId: 'AROA:s' });
    const id = await getCallerIdentity(new STSClient({ region: 'eu-west-1' }));
    expect(id.roleArn).toBe('arn:aws:iam::111122223333:role/R');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('throws CallerIdentityError carrying the STS error as cause', async () => {
    const denied = Object.assign(new Error('The security token included in the request is invalid'), { name: 'InvalidClientTokenId' });
    sts.on(GetCallerIdentityCommand).rejects(denied);
    const err = await getCallerIdentity(new STSClient({ region: 'eu-west-1' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallerIdentityError);
    expect((err as CallerIdentityError).message).toMatch(/InvalidClientTokenId/);
    expect((err as CallerIdentityError).cause).toBe(denied);
  });

  it('throws CallerIdentityError when STS answers without an ARN', async () => {
    sts.on(GetCallerIdentityCommand).resolves({});
    await expect(getCallerIdentity(new STSClient({ region: 'eu-west-1' }))).rejects.toThrow(CallerIdentityError);
  });
});
