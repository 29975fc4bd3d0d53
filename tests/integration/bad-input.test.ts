import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { StandInClient, type RoleCredentials } from '../standin/StandInClient';
import { frontCerts, frontS3 } from './faultFronts';
import { invokeBundle, unique } from './helpers';

// Bad input through the bundled handler: each case answers FAILED with reason invalid-input and one
// problem that names what is wrong, and writes nothing to the bucket.
const standIn = StandInClient.fromEnv();
const s3 = standIn.s3();
const bucket = standIn.conn.bucket;
let masters: RoleCredentials;

interface InvalidResponse {
  action: string; status: string; reason?: string; error?: string; problems?: string[];
}

async function bucketContents(): Promise<{ keys: string[]; uploads: string[] }> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return { keys: keys.sort(), uploads: (uploads.Uploads ?? []).map((u) => u.Key ?? '') };
}

/** Invokes a backup and checks the common contract: FAILED, invalid-input, exactly one problem, nothing written. */
async function expectRejected(event: unknown, problem: RegExp, env: Record<string, string> = {}): Promise<InvalidResponse> {
  const before = await bucketContents();
  const { response, stdout, stderr } = await invokeBundle<InvalidResponse>(event, standIn.delegateEnv(masters, env));
  expect({ status: response.status, reason: response.reason }).toEqual({ status: 'FAILED', reason: 'invalid-input' });
  expect(response.problems).toEqual([expect.stringMatching(problem)]);
  expect(response.error).toBe(response.problems?.[0]);
  expect(await bucketContents()).toEqual(before);
  // The process answered cleanly: no stack trace, no unhandled error.
  expect(`${stdout}${stderr}`).not.toMatch(/errorType|UnhandledPromiseRejection|\n\s+at /);
  return response;
}

beforeAll(async () => {
  masters = await standIn.issueRoleCredentials(unique('bad-input-masters'));
  await standIn.setAwsAuth([{ rolearn: masters.roleArn, username: 'delegate', groups: ['system:masters'] }]);
});

afterAll(async () => {
  await standIn.patchCluster({ status: 'ACTIVE', endpoint: standIn.conn.apiServerUrl, caPem: standIn.conn.caPem });
  await standIn.setAwsAuth([]);
  s3.destroy();
});

describe('a malformed event field', () => {
  it.each<[string, Record<string, unknown> | unknown[], RegExp]>([
    ['the event itself', ['backup'], /^the event must be a JSON object$/],
    ['action', { action: 'explode' }, /^unknown action "explode"/],
    ['an unknown field', { action: 'backup', colour: 'blue' }, /^unknown field\(s\): colour$/],
    ['clusterName', { action: 'backup', clusterName: 'prod cluster!' }, /^clusterName "prod cluster!" is not a valid EKS cluster name$/],
    ['clusterName (not a string)', { action: 'backup', clusterName: 42 }, /^clusterName must be a string$/],
    ['region', { action: 'backup', region: 'mars-north-1x' }, /^region "mars-north-1x" is not an AWS region name$/],
    ['bucket', { action: 'backup', bucket: 'Recovery_Bucket' }, /^bucket "Recovery_Bucket" is not a valid S3 bucket name$/],
    ['prefix', { action: 'backup', prefix: '../other-team/' }, /^prefix: /],
    ['recoveryPointId', { action: 'backup', recoveryPointId: '../escape' }, /^recoveryPointId: /],
    ['includeNamespaces', { action: 'backup', includeNamespaces: 'shop' }, /^includeNamespaces must be an array of strings$/],
    ['excludeNamespaces', { action: 'backup', excludeNamespaces: ['Not_A_Namespace'] }, /^excludeNamespaces: "Not_A_Namespace" is not a valid namespace name/],
    ['includeResources', { action: 'backup', includeResources: ['deployments apps'] }, /^includeResources: "deployments apps" is not a valid/],
    ['excludeResources', { action: 'backup', excludeResources: [7] }, /^excludeResources must be an array of strings$/],
  ])('%s: one problem naming it, nothing written', async (_field, event, problem) => {
    await expectRejected(event, problem);
  });
});

describe('a request the cluster or the bucket cannot serve', () => {
  it('names an unknown cluster', async () => {
    await expectRejected({ action: 'backup', clusterName: 'no-such-cluster' }, /cluster no-such-cluster not found in us-east-1/);
  });

  it('refuses a cluster that is not ACTIVE', async () => {
    await standIn.patchCluster({ status: 'UPDATING' });
    try {
      await expectRejected({ action: 'backup' }, new RegExp(`cluster ${standIn.conn.clusterName} is UPDATING, not ACTIVE`));
    } finally {
      await standIn.patchCluster({ status: 'ACTIVE' });
    }
  });

  it('names a bucket that does not exist', async () => {
    await expectRejected({ action: 'backup', bucket: 'no-such-recovery-bucket' }, /bucket no-such-recovery-bucket does not exist/);
  });

  it('names a bucket it is denied access to', async () => {
    const front = await frontS3(standIn, () => ({
      kind: 'respond', status: 403, headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
    }));
    try {
      await expectRejected({ action: 'backup' }, new RegExp(`access to bucket ${bucket} is denied`), { AWS_ENDPOINT_URL_S3: front.url });
      expect(front.seen.map((s) => s.method)).toEqual(['GET']); // one ListObjectsV2, no write attempted
    } finally {
      await front.close();
    }
  });
});

describe('TLS and the endpoint', () => {
  it('refuses CA data that is not a certificate', async () => {
    await standIn.patchCluster({ caPem: 'not a certificate' });
    try {
      await expectRejected({ action: 'backup' }, /certificate authority data is not a PEM certificate/);
    } finally {
      await standIn.patchCluster({ caPem: standIn.conn.caPem });
    }
  });

  it('refuses an API server whose certificate the cluster CA did not sign, without retrying', async () => {
    // A real, valid CA, but not the one that signed the API server's certificate.
    await standIn.patchCluster({ caPem: frontCerts().caPem });
    const reviewsBefore = await standIn.recentReviews();
    try {
      const started = Date.now();
      await expectRejected({ action: 'backup' }, /TLS verification of the API server https:\/\/127\.0\.0\.1:\d+ against the cluster CA failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      expect(Date.now() - started).toBeLessThan(3000); // not retried with backoff
      // The token never reached the server: the webhook reviewed nothing new.
      expect(await standIn.recentReviews()).toEqual(reviewsBefore);
    } finally {
      await standIn.patchCluster({ caPem: standIn.conn.caPem });
    }
  });

  it('refuses a plain http endpoint before sending any token', async () => {
    const port = new URL(standIn.conn.apiServerUrl).port;
    await standIn.patchCluster({ endpoint: `http://127.0.0.1:${port}` });
    try {
      await expectRejected({ action: 'backup' }, /endpoint http:\/\/127\.0\.0\.1:\d+ is not https; refusing to send a token over it/);
    } finally {
      await standIn.patchCluster({ endpoint: standIn.conn.apiServerUrl });
    }
  });
});
