import { decodeEksToken, EksTokenSource, mintEksToken, regionalStsHost } from '../../../lib/eks';
import { expectedSignature, signatureMatches } from '../../standin/sigv4Verifier';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FQoGZXIvYXdzEXAMPLE/+=',
};
const now = new Date('2026-11-23T20:05:01Z');

describe('mintEksToken', () => {
  it('produces exactly the presigned GetCallerIdentity URL aws-iam-authenticator expects', async () => {
    const { token } = await mintEksToken({ clusterName: 'prod', region: 'us-east-1', credentials, now });
    const url = decodeEksToken(token);
    // The signature is computed by an independent SigV4 implementation (tests/standin/sigv4Verifier.ts).
    const signature = expectedSignature({ method: 'GET', url, headers: { 'x-k8s-aws-id': 'prod' } }, credentials.secretAccessKey);
    expect(url.toString()).toBe(
      'https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15' +
        '&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2F%2B%3D&X-Amz-Algorithm=AWS4-HMAC-SHA256' +
        '&X-Amz-Credential=AKIDEXAMPLE%2F20261123%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20261123T200501Z' +
        '&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id' +
        `&X-Amz-Signature=${signature}`,
    );
    expect(signature).toBe('ac8be75f16c26934823596f3abfffae143b68d6c01f1fad4792b7614e44ed183');
  });

  it('signs host and x-k8s-aws-id, so the cluster name is bound to the signature', async () => {
    const { token } = await mintEksToken({ clusterName: 'prod', region: 'us-east-1', credentials, now });
    const url = decodeEksToken(token);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(signatureMatches({ method: 'GET', url, headers: { 'x-k8s-aws-id': 'prod' } }, credentials.secretAccessKey)).toBe(true);
    expect(signatureMatches({ method: 'GET', url, headers: { 'x-k8s-aws-id': 'staging' } }, credentials.secretAccessKey)).toBe(false);
  });

  it('is k8s-aws-v1. plus unpadded base64url', async () => {
    for (const clusterName of ['a', 'ab', 'abc', 'prod-cluster-1']) {
      const { token } = await mintEksToken({ clusterName, region: 'eu-west-1', credentials, now });
      expect(token.startsWith('k8s-aws-v1.')).toBe(true);
      expect(token.slice('k8s-aws-v1.'.length)).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(token).not.toContain('=');
      expect(token.length).toBeLessThanOrEqual(4096);
    }
  });

  it('carries the session token of temporary (Lambda) credentials, and none for long-term keys', async () => {
    const temp = decodeEksToken((await mintEksToken({ clusterName: 'prod', region: 'us-east-1', credentials, now })).token);
    expect(temp.searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
    const { sessionToken: _omit, ...longTerm } = credentials;
    const plain = decodeEksToken((await mintEksToken({ clusterName: 'prod', region: 'us-east-1', credentials: longTerm, now })).token);
    expect(plain.searchParams.has('X-Amz-Security-Token')).toBe(false);
  });

  it.each([
    ['us-east-1', 'sts.us-east-1.amazonaws.com'],
    ['eu-west-1', 'sts.eu-west-1.amazonaws.com'],
    ['cn-north-1', 'sts.cn-north-1.amazonaws.com.cn'],
  ])('names the regional STS host for %s (%s) and scopes the signature to it', async (region, host) => {
    const url = decodeEksToken((await mintEksToken({ clusterName: 'prod', region, credentials, now })).token);
    expect(url.host).toBe(host);
    expect(regionalStsHost(region)).toBe(host);
    expect(url.searchParams.get('X-Amz-Credential')).toBe(`AKIDEXAMPLE/20261123/${region}/sts/aws4_request`);
  });

  it('ignores STS endpoint overrides: EKS validates the token against the real STS host', async () => {
    const saved = { ...process.env };
    process.env.AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:9999';
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9998';
    try {
      const url = decodeEksToken((await mintEksToken({ clusterName: 'prod', region: 'us-east-1', credentials, now })).token);
      expect(url.host).toBe('sts.us-east-1.amazonaws.com');
      expect(url.protocol).toBe('https:');
    } finally {
      process.env = saved;
    }
  });

  it('expires 14 minutes after signing (the server allows 15)', async () => {
    const t = await mintEksToken({ clusterName: 'prod', region: 'us-east-1', credentials, now });
    expect(t.expiresAt.toISOString()).toBe('2026-11-23T20:19:01.000Z');
  });
});

describe('EksTokenSource', () => {
  it('reuses a token until a minute before its 14-minute lifetime, then mints a new one', async () => {
    let clock = now.getTime();
    const source = new EksTokenSource({ clusterName: 'prod', region: 'us-east-1', credentials, now: () => new Date(clock) });
    const first = await source.getToken();
    clock += 12 * 60_000;
    expect(await source.getToken()).toBe(first);
    expect(source.mintCount).toBe(1);
    clock += 60_000 + 1; // 13 minutes and a bit: inside the refresh margin
    const second = await source.getToken();
    expect(second).not.toBe(first);
    expect(source.mintCount).toBe(2);
    expect(decodeEksToken(second).searchParams.get('X-Amz-Date')).toBe('20261123T201801Z');
  });

  it('mints once for concurrent callers and again after invalidate()', async () => {
    let calls = 0;
    const source = new EksTokenSource({
      clusterName: 'prod', region: 'us-east-1', now: () => now,
      credentials: async () => {
        calls++;
        return credentials;
      },
    });
    const tokens = await Promise.all([source.getToken(), source.getToken(), source.getToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(calls).toBe(1);
    source.invalidate(tokens[0]);
    await source.getToken();
    expect(calls).toBe(2);
  });

  it('wraps a credential failure in CredentialsError without leaking anything', async () => {
    const source = new EksTokenSource({
      clusterName: 'prod', region: 'us-east-1',
      credentials: async () => {
        throw new Error('Could not load credentials from any providers');
      },
    });
    await expect(source.getToken()).rejects.toMatchObject({ name: 'CredentialsError', clusterName: 'prod' });
  });
});
