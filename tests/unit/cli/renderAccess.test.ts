import { colorsFor } from '../../../handlers/cli/format';
import { renderCheckAccess } from '../../../handlers/cli/renderAccess';

describe('check-access page', () => {
  it('says the status and why, then each way to grant access with its commands one per line', () => {
    const out = renderCheckAccess({
      action: 'check-access', status: 'NO_ACCESS', clusterName: 'prod', durationMs: 900, summary: 'arn:aws:iam::1:role/r can list 0 of 2 resource types of cluster prod',
      identity: { callerArn: 'arn:aws:sts::1:assumed-role/r/s', roleArn: 'arn:aws:iam::1:role/r', account: '1', principalType: 'assumed-role', warnings: [] },
      cluster: { name: 'prod', arn: 'arn:aws:eks:us-east-1:1:cluster/prod', region: 'us-east-1', authenticationMode: 'API', kubernetesVersion: '1.31' },
      readable: [], unreadable: [{ resource: 'secrets', reason: 'forbidden' }, { resource: 'configmaps', reason: 'forbidden', detail: 'no RBAC' }],
      existingMapping: 'access-entry', warnings: ['metrics.k8s.io/v1beta1: discovery failed: 503'],
      remediation: [
        { kind: 'access-entry', why: 'Reads everything, changes nothing.', commands: ['aws eks create-access-entry --x', 'aws eks associate-access-policy --y'] },
        { kind: 'least-privilege', why: 'Only get, list, watch.', commands: ['kubectl apply -f reader.yaml'], manifest: { fileName: 'reader.yaml', content: 'kind: ClusterRole' } },
      ],
    }, colorsFor({ isTTY: false }));
    expect(out.split('\n')).toEqual([
      'NO_ACCESS: arn:aws:iam::1:role/r can list 0 of 2 resource types of cluster prod',
      'Identity        arn:aws:iam::1:role/r (assumed-role)',
      'Cluster         prod (us-east-1, auth API, Kubernetes 1.31)',
      'Readable        0 resource type(s)',
      'Unreadable      secrets: forbidden',
      '                configmaps: forbidden (no RBAC)',
      'Warning: metrics.k8s.io/v1beta1: discovery failed: 503',
      '',
      'To grant it, one of (already mapped: access-entry):',
      '',
      'access-entry: Reads everything, changes nothing.',
      '  $ aws eks create-access-entry --x',
      '  $ aws eks associate-access-policy --y',
      '',
      'least-privilege: Only get, list, watch.',
      '  $ kubectl apply -f reader.yaml',
      '  (reader.yaml: -o yaml prints it under remediation.manifest.content)',
    ]);
  });
});
