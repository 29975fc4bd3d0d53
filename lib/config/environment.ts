/**
 * The delegate's settings from its environment, read in this one place, typed and validated.
 * An event field, where one exists, wins over the environment; the environment wins over the default.
 */
export interface DelegateEnvironment {
  /** CLUSTER_NAME: the cluster to back up when the event names none. */
  clusterName: string | undefined;
  /** AWS_REGION (Lambda sets it), else AWS_DEFAULT_REGION. */
  region: string | undefined;
  /** RECOVERY_BUCKET: where recovery points go when the event names no bucket. */
  bucket: string | undefined;
  /** RECOVERY_PREFIX: key prefix for recovery points. @default '' */
  prefix: string;
  /** RECOVERY_KMS_KEY_ID: when set, recovery points use SSE-KMS with this key; otherwise SSE-S3 (AES256). */
  kmsKeyId: string | undefined;
  /**
   * SECRETS_KMS_KEY_ID: KMS key (id, ARN or alias) that seals every Secret's values in the archive (README
   * "Secrets"). @default undefined: Secret values are stored as the API server serves them
   */
  secretsKmsKeyId: string | undefined;
  /** S3_FORCE_PATH_STYLE=true selects path-style S3 addressing (emulators). @default false */
  s3ForcePathStyle: boolean;
  /** KUBE_PAGE_SIZE: items per list page. @default 500 (client-go's) */
  pageSize: number;
  /** KUBE_LIST_CONCURRENCY: resource types listed at once. @default 4 */
  listConcurrency: number;
  /** DELEGATE_IN_VPC=true: the function is attached to subnets (set by template.yaml); shapes preflight hints. @default false */
  inVpc: boolean;
  /** RESTORE_CONCURRENCY: writes in flight for the whole restore (the types of a tier share them; 429s lower it for a while). @default 8 */
  restoreConcurrency: number;
  /** DEADLINE_MARGIN_MS: stop and abort when less than this remains of the Lambda's time. @default 30000 */
  deadlineMarginMs: number;
  /**
   * RETENTION_KEEP_LAST: after a successful backup, keep at least the newest N recovery points.
   * Empty or unset: this limit protects nothing; with RETENTION_KEEP_DAYS also unset, retention is off. @default undefined
   */
  retentionKeepLast: number | undefined;
  /** RETENTION_KEEP_DAYS: keep recovery points committed less than N days ago. Empty or unset: off. @default undefined */
  retentionKeepDays: number | undefined;
  /** DURABLE_RESTORE_FUNCTION: qualified ARN of the durable restore function (template.yaml); unset: mode durable is refused. @default undefined */
  durableRestoreFunction: string | undefined;
  /** RESTORE_SYNC_MAX_OBJECTS: a restore without `mode` runs durable above this many objects (when it can). @default 20000 */
  restoreSyncMaxObjects: number;
  /** RESTORE_SLICE_OBJECTS: objects one step of a durable restore restores at most. @default 2000 */
  restoreSliceObjects: number;
  /** RESTORE_INVOCATION_BUDGET_MS: time one invocation of a durable restore spends on steps before handing over. @default 600000 */
  restoreInvocationBudgetMs: number;
  /** RPO_TARGET_MINUTES: readiness's target for the newest usable recovery point's age. @default 1440 (a day) */
  rpoTargetMinutes: number;
  /** RTO_TARGET_MINUTES: readiness's target for the estimated restore time. @default 60 */
  rtoTargetMinutes: number;
  /**
   * AWS_ENDPOINT_URL_<IAM|ECR|ACM|EFS|EC2|SNS|SQS>, else AWS_ENDPOINT_URL: where readiness's lookups of those
   * services go (lib/aws/lookup signs its own requests; the SDK's clients read these variables themselves).
   * @default {} (each service's own endpoint)
   */
  lookupEndpoints: Partial<Record<'iam' | 'ecr' | 'acm' | 'efs' | 'ec2' | 'sns' | 'sqs', string>>;
}

export class EnvironmentError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid environment: ${problems.join('; ')}`);
    this.name = 'EnvironmentError';
    this.problems = problems;
  }
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): DelegateEnvironment {
  const problems: string[] = [];
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return def;
    }
    return n;
  };
  const optionalInt = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name];
    return raw === undefined || raw === '' ? undefined : int(name, 0, min, max);
  };
  const result: DelegateEnvironment = {
    clusterName: env.CLUSTER_NAME || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    bucket: env.RECOVERY_BUCKET || undefined,
    prefix: env.RECOVERY_PREFIX ?? '',
    kmsKeyId: env.RECOVERY_KMS_KEY_ID || undefined,
    secretsKmsKeyId: env.SECRETS_KMS_KEY_ID || undefined,
    s3ForcePathStyle: (env.S3_FORCE_PATH_STYLE ?? '').toLowerCase() === 'true',
    pageSize: int('KUBE_PAGE_SIZE', 500, 1, 10_000),
    listConcurrency: int('KUBE_LIST_CONCURRENCY', 4, 1, 64),
    inVpc: (env.DELEGATE_IN_VPC ?? '').toLowerCase() === 'true',
    restoreConcurrency: int('RESTORE_CONCURRENCY', 8, 1, 64),
    deadlineMarginMs: int('DEADLINE_MARGIN_MS', 30_000, 0, 600_000),
    retentionKeepLast: optionalInt('RETENTION_KEEP_LAST', 1, 100_000),
    retentionKeepDays: optionalInt('RETENTION_KEEP_DAYS', 1, 36_500),
    durableRestoreFunction: env.DURABLE_RESTORE_FUNCTION || undefined,
    restoreSyncMaxObjects: int('RESTORE_SYNC_MAX_OBJECTS', 20_000, 0, 100_000_000),
    restoreSliceObjects: int('RESTORE_SLICE_OBJECTS', 2000, 1, 100_000),
    restoreInvocationBudgetMs: int('RESTORE_INVOCATION_BUDGET_MS', 600_000, 0, 900_000),
    rpoTargetMinutes: int('RPO_TARGET_MINUTES', 1440, 1, 525_600),
    rtoTargetMinutes: int('RTO_TARGET_MINUTES', 60, 1, 525_600),
    lookupEndpoints: Object.fromEntries((['iam', 'ecr', 'acm', 'efs', 'ec2', 'sns', 'sqs'] as const)
      .map((id) => [id, env[`AWS_ENDPOINT_URL_${id.toUpperCase()}`] || env.AWS_ENDPOINT_URL || ''])
      .filter(([, url]) => url !== '')),
  };
  if (problems.length) throw new EnvironmentError(problems);
  return result;
}
