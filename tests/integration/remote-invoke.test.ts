import { join } from 'node:path';
import { LambdaInvokeServer } from '../standin/LambdaInvokeServer';
import { StandInClient } from '../standin/StandInClient';
import { CLI, REPO_ROOT, delegateNode, run, unique } from './helpers';

// `eks-delegate <command> --function <name>`: the CLI runs the action on the deployed delegate through the
// real AWS SDK Lambda client, against a local Lambda Invoke API that runs the real bundle with the
// function's own environment (credentials, cluster, bucket) and the stand-in behind it. The operator's
// side has none of the function's settings: whatever works, worked on the function's side.
const standIn = StandInClient.fromEnv();
const FUNCTION = 'ArpioPrimaryK8sDel-standin';
const BROKEN = 'delegate-that-cannot-start';
const prefix = `remote/${unique('run')}/`;
let server: LambdaInvokeServer;
let operatorEnv: Record<string, string>;

beforeAll(async () => {
  const creds = await standIn.issueRoleCredentials(unique('remote-delegate'));
  await standIn.setAwsAuth([{ rolearn: creds.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
  const functionEnv = standIn.delegateEnv(creds, { RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'WARN', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  server = new LambdaInvokeServer([
    { name: FUNCTION, env: functionEnv },
    // A function whose runtime dies before the handler answers (a broken deployment).
    { name: BROKEN, env: { ...functionEnv, NODE_OPTIONS: `--require ${join(REPO_ROOT, 'no-such-module.cjs')}` } },
  ], { node: delegateNode(), invokeScript: join(REPO_ROOT, 'scripts', 'invoke-bundle.cjs') });
  const url = await server.start();
  // The operator: some credentials, a region, the Lambda endpoint; no cluster, bucket or prefix.
  operatorEnv = {
    AWS_REGION: standIn.conn.region, AWS_ACCESS_KEY_ID: 'AKIAOPERATOR00000000', AWS_SECRET_ACCESS_KEY: 'operator-secret',
    AWS_ENDPOINT_URL_LAMBDA: url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
});

afterAll(async () => {
  await server.stop();
});

const cli = (args: string[]) => run(delegateNode(), [CLI, ...args], operatorEnv);

describe('the CLI with --function', () => {
  it('runs a backup on the deployed delegate and prints its response; list then shows it', async () => {
    const backup = await cli(['backup', '--function', FUNCTION, '-o', 'json']);
    expect(backup.code).toBe(0);
    const response = JSON.parse(backup.stdout) as { status: string; recoveryPointId: string; location: string; objects: number };
    expect(response.status).toBe('COMPLETED');
    expect(response.location).toBe(`s3://${standIn.conn.bucket}/${prefix}${standIn.conn.clusterName}/${response.recoveryPointId}/`);
    expect(response.objects).toBeGreaterThan(50);
    expect(server.invocations.at(-1)).toEqual({ functionName: FUNCTION, event: { action: 'backup' }, signedService: 'lambda' });

    const list = await cli(['list', '--function', FUNCTION]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(response.recoveryPointId);
    expect(list.stdout).toMatch(/COMPLETED/);
  });

  it('accepts the function ARN, with the region taken from it', async () => {
    const arn = `arn:aws:lambda:${standIn.conn.region}:${standIn.conn.account}:function:${FUNCTION}`;
    const out = await run(delegateNode(), [CLI, 'check-access', '--function', arn, '-o', 'json'], { ...operatorEnv, AWS_REGION: 'eu-north-1' });
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as { status: string }).status).toBe('ACCESS_OK');
    expect(server.invocations.at(-1)?.functionName).toBe(arn);
  });

  it('names a function that does not exist and how to find the right one (exit 1, nothing on stdout)', async () => {
    const out = await cli(['list', '--function', 'no-such-delegate']);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('no function no-such-delegate in this account and region');
    expect(out.stderr).toContain('FunctionName or FunctionArn output');
  });

  it('says when the function failed without answering, with its error', async () => {
    const out = await cli(['list', '--function', BROKEN]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(`${BROKEN} failed without answering (Unhandled): Runtime.ExitError`);
    expect(out.stderr).toContain('no-such-module.cjs');
  });
});
