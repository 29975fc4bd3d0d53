import { clusterPlace } from '../../../lib/translation';

describe('clusterPlace', () => {
  it('takes the partition and the name from the cluster ARN, the name given only when the ARN names none', () => {
    expect(clusterPlace({ arn: 'arn:aws-cn:eks:cn-north-1:111122223333:cluster/prod', account: '111122223333', region: 'cn-north-1' }, 'other'))
      .toEqual({ partition: 'aws-cn', account: '111122223333', region: 'cn-north-1', clusterName: 'prod' });
    expect(clusterPlace({ arn: 'not-an-arn', account: '111122223333', region: 'us-east-1' }, 'given'))
      .toEqual({ partition: 'aws', account: '111122223333', region: 'us-east-1', clusterName: 'given' });
  });
});
