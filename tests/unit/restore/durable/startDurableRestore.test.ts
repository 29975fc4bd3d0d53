import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { startDurableRestore } from '../../../../handlers/actions/startDurableRestore';
import type { AwsClients } from '../../../../lib/aws/clients';
import { readEnvironment } from '../../../../lib/config/environment';
import { parseDelegateEvent, type RestoreRequest } from '../../../../lib/events';

const lambda = mockClient(LambdaClient);
const env = readEnvironment({
  AWS_REGION: 'us-west-2', CLUSTER_NAME: 'prod-dr', RECOVERY_BUCKET: 'dr-bucket', RECOVERY_PREFIX: 'eks/',
  DURABLE_RESTORE_FUNCTION: 'arn:aws:lambda:us-west-2:444455556666:function:stack-DurableRestoreFunction-x:live',
});
const clients = { credentials: async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-a-secret' }) } as unknown as AwsClients;
const logger = new Logger({ logLevel: 'SILENT' });
const request = parseDelegateEvent({
  action: 'restore', mode: 'durable', translate: 'off', includeNamespaces: ['shop'], namespaceMapping: { shop: 'shop-dr' },
  source: { bucket: 'src-bucket', region: 'us-east-1', clusterName: 'prod', recoveryPointId: 'latest' },
}, env) as RestoreRequest;
const at = { folder: 'eks/prod/20261207T030000Z-ab12/', restoreId: '20261207T031500Z-5c2e', report: { bucket: 'dr-bucket', key: 'eks/prod-dr/restores/20261207T031500Z-5c2e.json' } };

beforeEach(() => lambda.reset());

describe('restore in mode "durable"', () => {
  it('starts one execution named after the restoreId, asynchronously, with an event the durable function accepts', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const response = await startDurableRestore(request, at, { env, clients, logger, started: Date.now() });

    expect(response).toMatchObject({
      action: 'restore', status: 'RUNNING', mode: 'durable', restoreId: at.restoreId, report: 's3://dr-bucket/eks/prod-dr/restores/20261207T031500Z-5c2e.json',
      statusObject: 's3://dr-bucket/eks/prod-dr/restores/20261207T031500Z-5c2e/status.json',
      source: { recoveryPointId: '20261207T030000Z-ab12', clusterName: 'prod' },
    });
    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect({ FunctionName: input.FunctionName, InvocationType: input.InvocationType, DurableExecutionName: input.DurableExecutionName })
      .toEqual({ FunctionName: env.durableRestoreFunction, InvocationType: 'Event', DurableExecutionName: at.restoreId });
    // What the durable function parses: the same restore, its recovery point resolved (never `latest`).
    const event = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8')) as unknown;
    expect(parseDelegateEvent(event, env)).toEqual({ ...request, restoreId: at.restoreId, source: { ...request.source, recoveryPointId: '20261207T030000Z-ab12' } });
  });

  it('is refused as invalid input where there is no durable restore function', async () => {
    const response = await startDurableRestore(request, at, { env: { ...env, durableRestoreFunction: undefined }, clients, logger, started: Date.now() });
    expect(response).toMatchObject({ status: 'FAILED', reason: 'invalid-input' });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('says so when the execution cannot be started', async () => {
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('User is not authorized to perform: lambda:InvokeFunction'), { name: 'AccessDeniedException' }));
    const response = await startDurableRestore(request, at, { env, clients, logger, started: Date.now() });
    expect(response).toMatchObject({ status: 'FAILED', reason: 'error', error: expect.stringContaining('lambda:InvokeFunction') });
  });
});
