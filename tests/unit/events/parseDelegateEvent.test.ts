import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvironment } from '../../../lib/config/environment';
import { InvalidEventError, parseDelegateEvent } from '../../../lib/events';

const env = readEnvironment({ CLUSTER_NAME: 'prod', AWS_REGION: 'us-east-1', RECOVERY_BUCKET: 'recovery-bucket', RECOVERY_PREFIX: 'eks/' });

function problemsOf(event: unknown, e = env): string[] {
  try {
    parseDelegateEvent(event, e);
  } catch (err) {
    if (err instanceof InvalidEventError) return err.problems;
    throw err;
  }
  throw new Error('expected InvalidEventError');
}

describe('parseDelegateEvent', () => {
  it('fills a backup from the environment defaults', () => {
    expect(parseDelegateEvent({ action: 'backup' }, env)).toEqual({
      action: 'backup', clusterName: 'prod', region: 'us-east-1', bucket: 'recovery-bucket', prefix: 'eks/',
      recoveryPointId: undefined, filters: {}, trigger: 'direct',
    });
  });

  it('lets event fields win over the environment', () => {
    const req = parseDelegateEvent({ action: 'backup', clusterName: 'staging', region: 'eu-west-1', bucket: 'other-bucket', prefix: '', recoveryPointId: '20261123T200501Z-7f3a', includeNamespaces: ['shop'], excludeResources: [] }, env);
    expect(req).toMatchObject({ clusterName: 'staging', region: 'eu-west-1', bucket: 'other-bucket', prefix: '', recoveryPointId: '20261123T200501Z-7f3a', filters: { includeNamespaces: ['shop'], excludeResources: [] } });
  });

  it('treats an EventBridge Scheduled Event as a backup with the defaults', () => {
    const req = parseDelegateEvent({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {}, id: 'x', version: '0', time: '2026-11-23T20:05:00Z', region: 'us-east-1', account: '123456789012', resources: [] }, env);
    expect(req).toMatchObject({ action: 'backup', clusterName: 'prod', trigger: 'schedule' });
  });

  it('defaults the action to backup (an EventBridge Scheduler Input of {})', () => {
    expect(parseDelegateEvent({}, env).action).toBe('backup');
  });

  it('names every problem at once', () => {
    const problems = problemsOf({
      action: 'backup', clusterName: 'bad name!', region: 'moon-1', bucket: 'Not_A_Bucket', prefix: '../escape/',
      recoveryPointId: '../x', includeNamespaces: 'shop', excludeResources: ['Deployments!'], colour: 'blue',
    });
    expect(problems).toEqual(expect.arrayContaining([
      'unknown field(s): colour',
      'clusterName "bad name!" is not a valid EKS cluster name',
      'region "moon-1" is not an AWS region name',
      'bucket "Not_A_Bucket" is not a valid S3 bucket name',
      'includeNamespaces must be an array of strings',
    ]));
    expect(problems.some((p) => p.startsWith('prefix:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('recoveryPointId:'))).toBe(true);
    expect(problems.some((p) => /Deployments!/.test(p))).toBe(true);
  });

  it('rejects an unknown action, a non-object event and wrong types', () => {
    expect(problemsOf({ action: 'restore-everything' })).toEqual([expect.stringMatching(/^unknown action "restore-everything"/)]);
    expect(problemsOf('backup')).toEqual(['the event must be a JSON object']);
    expect(problemsOf(null)).toEqual(['the event must be a JSON object']);
    expect(problemsOf([{ action: 'backup' }])).toEqual(['the event must be a JSON object']);
    expect(problemsOf({ action: 7 })).toEqual(expect.arrayContaining(['action must be a string']));
  });

  it('says which default is missing when neither event nor environment gives it', () => {
    const problems = problemsOf({ action: 'backup' }, readEnvironment({}));
    expect(problems).toEqual([
      'clusterName is missing (event field or CLUSTER_NAME)',
      'region is missing (event field or AWS_REGION)',
      'bucket is missing (event field or RECOVERY_BUCKET)',
    ]);
  });

  it('refuses fields of other actions, naming the actions they apply to', () => {
    expect(problemsOf({ action: 'check-access', includeNamespaces: ['a'] })).toEqual(['field(s) includeNamespaces only apply to action "backup", "restore"']);
    expect(problemsOf({ action: 'check-access', bucket: 'b' })).toEqual([
      'field(s) bucket only apply to action "backup", "list-recovery-points", "describe-recovery-point", "verify-recovery-point", "diff-recovery-points", "list-restores", "describe-restore", "drift"',
    ]);
    expect(parseDelegateEvent({ action: 'preflight', region: 'cn-north-1' }, env)).toEqual({ action: 'preflight', clusterName: 'prod', region: 'cn-north-1' });
  });

  it('fills a restore from the event and the environment: source defaults, latest, skip, no dry run', () => {
    expect(parseDelegateEvent({ action: 'restore', clusterName: 'prod-dr', region: 'us-west-2' }, env)).toEqual({
      action: 'restore', clusterName: 'prod-dr', region: 'us-west-2',
      source: { bucket: 'recovery-bucket', region: 'us-west-2', prefix: 'eks/', clusterName: 'prod-dr', recoveryPointId: 'latest' },
      dryRun: false, existingResourcePolicy: 'skip', filters: {}, namespaceMapping: {}, identifierMap: {}, zoneMap: {}, regionMap: {}, translate: 'known-fields', gitops: 'off',
      mode: undefined, restoreId: undefined,
    });
    const full = parseDelegateEvent({
      action: 'restore', clusterName: 'prod-dr', region: 'us-west-2',
      source: { bucket: 'other-bucket', region: 'us-east-1', prefix: '', clusterName: 'prod', recoveryPointId: '20261123T200501Z-7f3a' },
      dryRun: true, existingResourcePolicy: 'update', includeNamespaces: ['shop'], namespaceMapping: { shop: 'shop-restored' },
      identifierMap: { 'vol-0123456789abcdef0': 'vol-0fedcba9876543210' }, translate: 'everywhere', gitops: 'pause',
      zoneMap: { 'us-east-1a': 'us-west-2a' }, regionMap: { 'us-east-1': 'us-west-2' },
    }, env);
    expect(full).toMatchObject({
      gitops: 'pause', zoneMap: { 'us-east-1a': 'us-west-2a' }, regionMap: { 'us-east-1': 'us-west-2' },
      source: { bucket: 'other-bucket', region: 'us-east-1', prefix: '', clusterName: 'prod', recoveryPointId: '20261123T200501Z-7f3a' },
      dryRun: true, existingResourcePolicy: 'update', filters: { includeNamespaces: ['shop'] }, namespaceMapping: { shop: 'shop-restored' },
      translate: 'everywhere',
    });
  });

  it('reads describe-restore: a restoreId, where the status objects are, and the recovery cluster', () => {
    expect(parseDelegateEvent({ action: 'describe-restore', clusterName: 'prod-dr', region: 'us-west-2', restoreId: '20261207T031500Z-5c2e' }, env))
      .toEqual({
        action: 'describe-restore', clusterName: 'prod-dr', region: 'us-west-2', bucket: 'recovery-bucket', prefix: 'eks/', restoreId: '20261207T031500Z-5c2e',
        sourceCluster: 'prod-dr', details: false,
      });
    expect(problemsOf({ action: 'describe-restore' })).toEqual(['restoreId is missing (the id a restore answered with, e.g. 20261207T031500Z-ab12)']);
  });

  it('reads a restore mode: chosen by size when absent, durable or sync on request, never a durable dry run', () => {
    const restore = { action: 'restore', clusterName: 'prod-dr', region: 'us-west-2' };
    expect(parseDelegateEvent({ ...restore, mode: 'durable', restoreId: '20261207T030000Z-ab12' }, env))
      .toMatchObject({ mode: 'durable', restoreId: '20261207T030000Z-ab12' });
    expect(problemsOf({ ...restore, mode: 'later' })).toEqual(['mode "later" must be one of sync, durable']);
    expect(problemsOf({ ...restore, mode: 'durable', dryRun: true })).toEqual(['a dry run runs in mode "sync" (it writes nothing, so it needs no steps)']);
    expect(problemsOf({ ...restore, restoreId: '../x' })).toEqual([expect.stringMatching(/^restoreId: /)]);
  });

  it('names every problem of a restore event, nested source fields included', () => {
    const problems = problemsOf({
      action: 'restore', source: { bucket: 'Bad_Bucket', region: 'mars-1', recoveryPointId: '../x', colour: 'red' },
      dryRun: 'yes', existingResourcePolicy: 'replace', namespaceMapping: { shop: 'Shop!', a: 'b', c: 'b' }, translate: 'sometimes', bucket: 'b',
      zoneMap: { 'us-east-1a': 'us-west-2', useast1b: 'us-west-2b' }, regionMap: { 'us-east-1': 'us-west-2a' },
    });
    expect(problems).toEqual(expect.arrayContaining([
      'source.bucket "Bad_Bucket" is not a valid S3 bucket name',
      'source.region "mars-1" is not an AWS region name',
      'unknown field(s) in source: colour',
      'dryRun must be true or false',
      'existingResourcePolicy "replace" must be one of skip, update',
      'namespaceMapping: "Shop!" is not a valid namespace name',
      'namespaceMapping maps several namespaces to b',
      'translate "sometimes" must be one of known-fields, everywhere, off',
      'zoneMap: "us-west-2" is not an availability zone name (like us-east-1a)',
      'zoneMap: "useast1b" is not an availability zone name (like us-east-1a)',
      'regionMap: "us-west-2a" is not an AWS region name (like us-east-1)',
      'field(s) bucket only apply to action "backup", "list-recovery-points", "describe-recovery-point", "verify-recovery-point", "diff-recovery-points", "list-restores", "describe-restore", "drift"',
    ]));
    expect(problems.some((p) => p.startsWith('source.recoveryPointId'))).toBe(true);
  });

  it('refuses a gitops mode it does not know, saying which ones it knows', () => {
    expect(problemsOf({ action: 'restore', gitops: 'suspend' })).toEqual([expect.stringMatching(/^gitops "suspend" must be one of pause, off \(/)]);
    expect(problemsOf({ action: 'restore', gitops: true })).toEqual([expect.stringMatching(/^gitops must be a string/)]);
  });

  it('reads resume-gitops: a dry run and namespaces of the recovery cluster, nothing else', () => {
    expect(parseDelegateEvent({ action: 'resume-gitops', clusterName: 'prod-dr', region: 'us-west-2' }, env)).toEqual({
      action: 'resume-gitops', clusterName: 'prod-dr', region: 'us-west-2', dryRun: false, namespaces: [],
    });
    expect(parseDelegateEvent({ action: 'resume-gitops', dryRun: true, namespaces: ['argocd'] }, env)).toMatchObject({ dryRun: true, namespaces: ['argocd'] });
    expect(problemsOf({ action: 'resume-gitops', namespaces: ['Bad_NS'], gitops: 'pause' })).toEqual([
      'namespaces: "Bad_NS" is not a valid namespace name', 'field(s) gitops only apply to action "restore"',
    ]);
  });

  it('reads the catalog events with backup\'s location defaults, `latest` where no id is given', () => {
    expect(parseDelegateEvent({ action: 'list-recovery-points', limit: 20 }, env)).toMatchObject({
      action: 'list-recovery-points', clusterName: 'prod', bucket: expect.any(String), limit: 20, nextToken: undefined,
    });
    expect(parseDelegateEvent({ action: 'describe-recovery-point' }, env)).toMatchObject({ recoveryPointId: 'latest', details: false });
    expect(parseDelegateEvent({ action: 'verify-recovery-point', recoveryPointId: '20261123T200501Z-7f3a' }, env)).toMatchObject({ recoveryPointId: '20261123T200501Z-7f3a' });
    expect(parseDelegateEvent({ action: 'diff-recovery-points', to: 'b' }, env)).toMatchObject({ from: undefined, to: 'b' });
  });

  it('takes latest-any, the opt-in to filtered recovery points, wherever latest is taken, but not as diff\'s older one', () => {
    expect(parseDelegateEvent({ action: 'restore', source: { recoveryPointId: 'latest-any' } }, env)).toMatchObject({ source: { recoveryPointId: 'latest-any' } });
    expect(parseDelegateEvent({ action: 'describe-recovery-point', recoveryPointId: 'latest-any' }, env)).toMatchObject({ recoveryPointId: 'latest-any' });
    expect(parseDelegateEvent({ action: 'verify-recovery-point', recoveryPointId: 'latest-any' }, env)).toMatchObject({ recoveryPointId: 'latest-any' });
    expect(problemsOf({ action: 'diff-recovery-points', from: 'latest-any' })).toEqual(['from cannot be "latest-any": it is the older of the two']);
  });

  it('names every problem of a catalog event', () => {
    expect(problemsOf({ action: 'list-recovery-points', limit: 0, nextToken: '../x' })).toEqual([
      'limit must be a whole number from 1 to 1000',
      expect.stringMatching(/^nextToken: recoveryPointId "..\/x" must be/),
    ]);
    expect(problemsOf({ action: 'diff-recovery-points', from: 'latest', to: 'latest', details: true })).toEqual([
      'from and to name the same recovery point',
      'from cannot be "latest": it is the older of the two',
      'field(s) details only apply to action "describe-recovery-point", "describe-restore"',
    ]);
  });

  it('reads the restore report events: the source cluster defaults to the cluster named, 20 restores listed', () => {
    expect(parseDelegateEvent({ action: 'list-restores' }, env)).toMatchObject({
      action: 'list-restores', clusterName: 'prod', sourceCluster: 'prod', bucket: 'recovery-bucket', prefix: 'eks/', limit: 20, recoveryPointId: undefined,
    });
    expect(parseDelegateEvent({ action: 'describe-restore', clusterName: 'prod-dr', sourceCluster: 'prod', restoreId: '20261207T040000Z-0001', details: true }, env))
      .toMatchObject({ action: 'describe-restore', clusterName: 'prod-dr', sourceCluster: 'prod', restoreId: '20261207T040000Z-0001', details: true });
    expect(problemsOf({ action: 'describe-restore', sourceCluster: 'prod!', limit: 5 })).toEqual([
      'restoreId is missing (the id a restore answered with, e.g. 20261207T031500Z-ab12)',
      expect.stringMatching(/^sourceCluster: clusterName "prod!" must be/),
      'field(s) limit only apply to action "list-recovery-points", "list-restores"',
    ]);
    expect(problemsOf({ action: 'list-restores', limit: 500, recoveryPointId: '../x' })).toEqual([
      expect.stringMatching(/^recoveryPointId: recoveryPointId "..\/x" must be/),
      'limit must be a whole number from 1 to 200',
    ]);
  });

  it('accepts every sample event in events/ (what `sam local invoke -e` sends)', () => {
    const dir = join(__dirname, '..', '..', '..', 'events');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(expect.arrayContaining(['backup.json', 'scheduled-event.json', 'preflight.json']));
    for (const f of files) {
      const event: unknown = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      expect(() => parseDelegateEvent(event, env)).not.toThrow();
    }
  });
});

describe('readEnvironment', () => {
  it('reads typed settings with documented defaults', () => {
    expect(readEnvironment({})).toEqual({
      clusterName: undefined, region: undefined, bucket: undefined, prefix: '', kmsKeyId: undefined,
      s3ForcePathStyle: false, pageSize: 500, listConcurrency: 4, inVpc: false, deadlineMarginMs: 30_000, restoreConcurrency: 8,
      durableRestoreFunction: undefined, restoreSyncMaxObjects: 20_000, restoreSliceObjects: 2000, restoreInvocationBudgetMs: 600_000,
      rpoTargetMinutes: 1440, rtoTargetMinutes: 60, lookupEndpoints: {},
    });
    expect(readEnvironment({ AWS_DEFAULT_REGION: 'eu-west-1', S3_FORCE_PATH_STYLE: 'TRUE', KUBE_PAGE_SIZE: '50', DELEGATE_IN_VPC: 'true' }))
      .toMatchObject({ region: 'eu-west-1', s3ForcePathStyle: true, pageSize: 50, inVpc: true });
  });

  it('names every invalid number', () => {
    expect(() => readEnvironment({ KUBE_PAGE_SIZE: '0', KUBE_LIST_CONCURRENCY: 'many' })).toThrow(
      'invalid environment: KUBE_PAGE_SIZE must be an integer from 1 to 10000 (got "0"); KUBE_LIST_CONCURRENCY must be an integer from 1 to 64 (got "many")',
    );
  });
});
