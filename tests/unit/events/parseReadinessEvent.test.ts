import { readEnvironment } from '../../../lib/config/environment';
import { InvalidEventError, parseDelegateEvent } from '../../../lib/events';

const env = readEnvironment({ CLUSTER_NAME: 'prod-dr', AWS_REGION: 'us-west-2', RECOVERY_BUCKET: 'recovery-bucket', RECOVERY_PREFIX: 'eks/' });

function problemsOf(event: unknown): string[] {
  try {
    parseDelegateEvent(event, env);
  } catch (err) {
    if (err instanceof InvalidEventError) return err.problems;
    throw err;
  }
  throw new Error('expected InvalidEventError');
}

describe('readiness and drift events', () => {
  it('reads readiness\'s source, maps and translation as restore does, the recovery point defaulting to latest', () => {
    expect(parseDelegateEvent({ action: 'readiness', source: { clusterName: 'prod', region: 'us-east-1' }, identifierMap: { 'vol-0123456789abcdef0': 'vol-0fedcba9876543210' } }, env)).toEqual({
      action: 'readiness', clusterName: 'prod-dr', region: 'us-west-2',
      source: { bucket: 'recovery-bucket', region: 'us-east-1', prefix: 'eks/', clusterName: 'prod', recoveryPointId: 'latest' },
      namespaceMapping: {}, identifierMap: { 'vol-0123456789abcdef0': 'vol-0fedcba9876543210' }, zoneMap: {}, regionMap: {}, translate: 'known-fields',
    });
  });

  it('names every problem, and refuses restore\'s own fields: readiness never writes', () => {
    expect(problemsOf({ action: 'readiness', source: { region: 'mars-1', recoveryPointId: '../x' }, namespaceMapping: { a: 'B!' }, dryRun: false, existingResourcePolicy: 'update' })).toEqual([
      'source.region "mars-1" is not an AWS region name',
      'source.recoveryPointId "../x" must be 1-128 characters of [A-Za-z0-9._-] and not \'.\' or \'..\'',
      'namespaceMapping: "B!" is not a valid namespace name',
      'field(s) dryRun only apply to action "restore", "resume-gitops"',
      'field(s) existingResourcePolicy only apply to action "restore"',
    ]);
  });

  it('reads drift like the catalog actions, defaulting to the latest recovery point', () => {
    expect(parseDelegateEvent({ action: 'drift', clusterName: 'prod' }, env)).toEqual({
      action: 'drift', clusterName: 'prod', region: 'us-west-2', bucket: 'recovery-bucket', prefix: 'eks/', recoveryPointId: 'latest',
    });
  });
});
