import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { CallerIdentityError } from './errors';
import type { CallerIdentity } from './types';

const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso(?:-[a-z])?):(sts|iam)::(\d{12}):(.+)$/;

/**
 * Who the delegate is: STS GetCallerIdentity, then the principal to grant (see principalFromArn).
 * Throws CallerIdentityError when STS cannot answer: without the ARN no exact command can be offered.
 */
export async function getCallerIdentity(sts: STSClient, signal?: AbortSignal): Promise<CallerIdentity> {
  let arn: string | undefined;
  try {
    ({ Arn: arn } = await sts.send(new GetCallerIdentityCommand({}), signal ? { abortSignal: signal } : {}));
  } catch (cause) {
    throw new CallerIdentityError(`STS GetCallerIdentity failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, { cause });
  }
  if (!arn) throw new CallerIdentityError('STS GetCallerIdentity answered without an ARN');
  return principalFromArn(arn);
}

/**
 * The IAM principal behind a caller ARN, as EKS authentication canonicalizes it (aws-iam-authenticator
 * `arn.Canonicalize`): `arn:<p>:sts::A:assumed-role/R/S` becomes `arn:<p>:iam::A:role/R`; an IAM user ARN is
 * kept as it is. The partition (aws, aws-cn, aws-us-gov) is kept.
 *
 * An assumed-role ARN never shows the role's IAM path, so a path cannot be detected here: aws-auth needs
 * the path-less ARN anyway (it compares against the canonical form), but an access entry names the role
 * by its real ARN, path included. Every assumed-role identity carries that warning.
 */
export function principalFromArn(callerArn: string): CallerIdentity {
  const m = ARN.exec(callerArn);
  if (!m) {
    return { callerArn, roleArn: callerArn, account: '', principalType: 'unknown', warnings: [`${callerArn} is not an IAM or STS ARN; the commands below name it as it is`] };
  }
  const [partition, service, account, resource] = [m[1] ?? '', m[2] ?? '', m[3] ?? '', m[4] ?? ''];
  const [type, ...rest] = resource.split('/');

  if (service === 'sts' && type === 'assumed-role' && rest.length >= 2) {
    const roleName = rest[0] ?? '';
    const roleArn = `arn:${partition}:iam::${account}:role/${roleName}`;
    const warnings = [
      `GetCallerIdentity never shows an IAM role path: if role ${roleName} has one, aws-auth still needs ${roleArn} exactly as printed ` +
        `(aws-auth cannot match an ARN with a path), while an access entry needs the role's full ARN with the path ` +
        `(aws iam get-role --role-name ${roleName} --query Role.Arn --output text)`,
    ];
    if (roleName.startsWith('AWSReservedSSO_')) {
      warnings.push(`${roleName} is an IAM Identity Center role: its real ARN has the path aws-reserved/sso.amazonaws.com/; use that full ARN for access entries`);
    }
    return { callerArn, roleArn, account, principalType: 'assumed-role', sessionName: rest.slice(1).join('/'), warnings };
  }
  if (service === 'iam' && type === 'user') {
    return {
      callerArn, roleArn: callerArn, account, principalType: 'user',
      warnings: ['the delegate runs as an IAM user with long-term keys: eksctl maps it under mapUsers; a role is recommended'],
    };
  }
  if (service === 'iam' && type === 'root') {
    return {
      callerArn, roleArn: callerArn, account, principalType: 'root',
      warnings: ['the delegate runs with the account root user\'s credentials: root cannot be mapped in aws-auth; run it with an IAM role'],
    };
  }
  if (service === 'sts' && type === 'federated-user') {
    return {
      callerArn, roleArn: callerArn, account, principalType: 'federated-user',
      warnings: ['a federated user (GetFederationToken) cannot be mapped in aws-auth or an access entry; run the delegate with an IAM role'],
    };
  }
  return { callerArn, roleArn: callerArn, account, principalType: 'unknown', warnings: [`${callerArn} is neither an assumed role nor an IAM user; the commands below name it as it is`] };
}
