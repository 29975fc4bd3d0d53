// Lambda entry point of the durable restore function (template.yaml DurableRestoreFunction, DurableConfig): one
// restore started by the delegate's `restore` action in mode "durable", run as steps that the engine
// checkpoints and replays across invocations (lib/restore/durable, docs/durable-restore.md).
import { Logger } from '@aws-lambda-powertools/logger';
import { withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';
import { createAwsClients, createS3Client } from '../lib/aws/clients';
import { EnvironmentError, readEnvironment, type DelegateEnvironment } from '../lib/config/environment';
import { connectToCluster } from '../lib/delegate/connectToCluster';
import { ClusterNotActiveError, ClusterNotFoundError, InvalidClusterConnectionError } from '../lib/eks';
import { InvalidEventError, LATEST, parseDelegateEvent, type RestoreRequest } from '../lib/events';
import { RecoveryPointReader } from '../lib/recovery-point/RecoveryPointReader';
import { recoveryPointFolder, restoreStatusKey } from '../lib/recovery-point/layout';
import { RestoreAccessError, RestorePreconditionError, RestoreSourceError } from '../lib/restore';
import { runDurableRestore, type DurableRestoreDependencies, type DurableRestoreResponse, type StepSession } from '../lib/restore/durable';
import { SecretKeyError } from '../lib/secrets';
import { TranslationConfigError } from '../lib/translation';
import { invalidInput, type InvalidInputResponse } from './actions';
import { reportLocation, restoreTranslatorFor } from './actions/restore';

let logger: Logger | undefined;

async function durableRestore(event: unknown, context: DurableContext): Promise<DurableRestoreResponse | InvalidInputResponse> {
  logger ??= new Logger({ serviceName: 'eks-delegate' });
  const log = logger;
  const started = Date.now();
  let request: RestoreRequest;
  let env: DelegateEnvironment;
  try {
    env = readEnvironment();
    const parsed = parseDelegateEvent(event, env);
    if (parsed.action !== 'restore' || parsed.mode !== 'durable' || !parsed.restoreId || parsed.source.recoveryPointId === LATEST) {
      return invalidInput(parsed.action, ['this function runs restores the restore action starts in mode "durable" (restoreId and recovery point set)'], started);
    }
    request = parsed;
  } catch (err) {
    if (err instanceof InvalidEventError || err instanceof EnvironmentError) return invalidInput('restore', err.problems, started);
    throw err;
  }
  log.appendKeys({ action: 'restore', mode: 'durable', cluster: request.clusterName, restoreId: request.restoreId });
  const { source } = request;
  const restoreId = request.restoreId ?? '';
  const folder = recoveryPointFolder(source.prefix, source.clusterName, source.recoveryPointId);
  const report = reportLocation(request, folder, restoreId, env.bucket, env.prefix);
  const clients = createAwsClients({ region: request.region, s3ForcePathStyle: env.s3ForcePathStyle });
  const sourceS3 = source.region === request.region ? clients.s3
    : createS3Client({ region: source.region, s3ForcePathStyle: env.s3ForcePathStyle, credentials: clients.credentials });
  const reportS3 = report.bucket === source.bucket ? sourceS3 : clients.s3;
  // Built in each step, closed after it: nothing of a cluster session outlives its step.
  const openSession = async (): Promise<StepSession> => {
    const session = await connectToCluster(clients, request.clusterName, request.region, log);
    return {
      deps: {
        connection: session.connection, kube: session.kube, sourceS3, reportS3, logger: log,
        kmsFor: (region) => clients.kmsFor(region),
        translatorFor: (from) => restoreTranslatorFor(request, session.connection, from),
        remainingTimeMs: () => context.lambdaContext.getRemainingTimeInMillis(),
      },
      close: () => session.close(),
    };
  };
  const deps: DurableRestoreDependencies = {
    openSession,
    readManifest: async () => {
      const { manifest } = await RecoveryPointReader.open(sourceS3, source.bucket, folder, { kmsFor: (region) => clients.kmsFor(region) });
      return { recoveryPointId: manifest.recoveryPointId, sourceCluster: manifest.cluster.name, objects: manifest.archive.objects, resources: manifest.resources };
    },
    refusal,
    reportS3,
    statusS3: clients.s3,
  };
  try {
    return await runDurableRestore({
      options: {
        source: { bucket: source.bucket, folder }, dryRun: false, existingResourcePolicy: request.existingResourcePolicy,
        filters: request.filters, namespaceMapping: request.namespaceMapping, restoreId,
        concurrency: env.restoreConcurrency, deadlineMarginMs: env.deadlineMarginMs,
      },
      report,
      status: { bucket: env.bucket ?? source.bucket, key: restoreStatusKey(env.prefix, request.clusterName, restoreId) },
      clusterName: request.clusterName,
      sourceLocation: `s3://${source.bucket}/${folder}`,
      sliceObjects: env.restoreSliceObjects,
      invocationBudgetMs: env.restoreInvocationBudgetMs,
    }, context, deps);
  } finally {
    if (sourceS3 !== clients.s3) sourceS3.destroy();
    clients.destroy();
  }
}

/** What refuses a restore before its first write, as the response says it (the sync restore's statuses). */
function refusal(err: unknown): Record<string, unknown> | undefined {
  if (err instanceof RestorePreconditionError || err instanceof TranslationConfigError) {
    return { reason: 'invalid-input', error: err.problems.join('; '), problems: err.problems };
  }
  if (err instanceof ClusterNotFoundError || err instanceof ClusterNotActiveError || err instanceof InvalidClusterConnectionError) {
    return { reason: 'invalid-input', error: err.message, problems: [err.message] };
  }
  if (err instanceof SecretKeyError) return { reason: 'secrets-key', error: err.message, secretsKey: { kmsKeyId: err.keyId, reason: err.reason } };
  if (err instanceof RestoreSourceError) return { reason: 'error', error: err.message };
  if (err instanceof RestoreAccessError) return { reason: err.status === 401 ? 'unauthorized' : 'forbidden', error: err.message };
  return undefined;
}

export const handler = withDurableExecution(durableRestore);
