import { parseImageReference } from '../../../lib/dependencies/imageReference';

describe('image references', () => {
  it.each([
    ['111122223333.dkr.ecr.us-west-2.amazonaws.com/team/app:1.2.3', 'arn:aws:ecr:us-west-2:111122223333:repository/team/app'],
    [`111122223333.dkr.ecr.us-west-2.amazonaws.com/app@sha256:${'a'.repeat(64)}`, 'arn:aws:ecr:us-west-2:111122223333:repository/app'],
    ['111122223333.dkr.ecr.us-west-2.amazonaws.com/app:v1@sha256:' + 'b'.repeat(64), 'arn:aws:ecr:us-west-2:111122223333:repository/app'],
    ['111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app', 'arn:aws:ecr:us-gov-west-1:111122223333:repository/app'],
    ['111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app', 'arn:aws-cn:ecr:cn-north-1:111122223333:repository/app'],
    ['111122223333.dkr-ecr.us-west-2.on.aws/app:1', 'arn:aws:ecr:us-west-2:111122223333:repository/app'],
    ['111122223333.dkr-ecr-fips.us-east-1.on.aws/app:1', 'arn:aws:ecr:us-east-1:111122223333:repository/app'],
    ['111122223333.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn/app', 'arn:aws-cn:ecr:cn-northwest-1:111122223333:repository/app'],
    ['111122223333.dkr.ecr.us-west-2.amazonaws.com/docker-hub/library/nginx:latest', 'arn:aws:ecr:us-west-2:111122223333:repository/docker-hub/library/nginx'],
    ['111122223333.DKR.ECR.US-WEST-2.AMAZONAWS.COM/app', 'arn:aws:ecr:us-west-2:111122223333:repository/app'],
  ])('recognises the ECR repository of %s', (image, arn) => {
    expect(parseImageReference(image)).toEqual(expect.objectContaining({ kind: 'ecr', arn }));
  });

  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.25', 'docker.io/library/nginx'],
    ['bitnami/redis:7.2', 'docker.io/bitnami/redis'],
    ['docker.io/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/library/nginx:1', 'docker.io/library/nginx'],
    ['ghcr.io/org/app:v1', 'ghcr.io/org/app'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause'],
    ['localhost:5000/dev/app', 'localhost:5000/dev/app'],
    ['public.ecr.aws/eks/aws-load-balancer-controller:v2.7.1', 'public.ecr.aws/eks/aws-load-balancer-controller'],
    ['ecr-public.aws.com/eks/app', 'ecr-public.aws.com/eks/app'],
    ['111122223333.dkr.ecr.us-east-1.amazonaws.com.evil.io/x', '111122223333.dkr.ecr.us-east-1.amazonaws.com.evil.io/x'],
    ['dkr.ecr.us-east-1.amazonaws.com/x', 'dkr.ecr.us-east-1.amazonaws.com/x'],
    ['111122223333.dkr.ecr.us-east-1.amazonaws.co/x', '111122223333.dkr.ecr.us-east-1.amazonaws.co/x'],
    ['12345.dkr.ecr.us-east-1.amazonaws.com/x', '12345.dkr.ecr.us-east-1.amazonaws.com/x'],
    ['111122223333.dkr.ecr.useast1.amazonaws.com/x', '111122223333.dkr.ecr.useast1.amazonaws.com/x'],
    ['111122223333.dkr.ecr.us-east-1.amazonaws.com.cn/x', '111122223333.dkr.ecr.us-east-1.amazonaws.com.cn/x'],
    ['111122223333.dkr.ecr.cn-north-1.amazonaws.com/x', '111122223333.dkr.ecr.cn-north-1.amazonaws.com/x'],
    ['evil111122223333.dkr.ecr.us-east-1.amazonaws.com/x', 'evil111122223333.dkr.ecr.us-east-1.amazonaws.com/x'],
  ])('treats %s as an external image', (image, repository) => {
    expect(parseImageReference(image)).toEqual({ kind: 'external', repository });
  });

  it.each(['', '${IMAGE}', '{{ .Values.image }}', 'team/UPPER', 'app:', 'app@sha256:short'])('rejects %p', (image) => {
    expect(parseImageReference(image)).toBeUndefined();
  });

  it('gives up quickly on huge strings that merely mention an ECR host', () => {
    const text = `111122223333.dkr.ecr.us-west-2.amazonaws.com/${'a'.repeat(200_000)}!`;
    const started = Date.now();
    expect(parseImageReference(text)).toBeUndefined();
    expect(parseImageReference('a'.repeat(100_000) + '.dkr.ecr')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(100);
  });
});
