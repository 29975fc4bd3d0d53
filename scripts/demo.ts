// `npm run demo`: the main job end to end on the local stand-in. Starts the stand-in (provisioning it the
// first time), seeds a small sample application, invokes the BUNDLED handler with events/backup.json in a
// fresh process (as `sam local invoke -e events/backup.json` would), prints the response, the manifest's
// summary and the archive's table of contents; then, day two, a small change, a second backup, and the
// CLI's list and diff of the two recovery points; then disaster recovery: the delegate of the recovery
// cluster (another account and region) restores the latest recovery point, dry run first, with the AWS
// identifiers translated and the references left pointing at the source listed (the sample's SQS queue URL
// names the source region and account), through the CLI; then a restore of namespace shop as a durable
// execution (Lambda durable functions, AWS's local runner standing in for the Lambda service), its progress
// polled with describe-restore; last, readiness finds the one problem planted in the recovery account and
// prints its verdict and where its report is. Then it stops everything.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { newRecoveryPointId, parseManifest, readArchiveEntries } from '../lib/recovery-point';
import { SAMPLE_CERT_ARN, SAMPLE_EBS_VOLUME, seedSampleApp } from '../tests/standin/sampleApp';
import { StandIn } from '../tests/standin/StandIn';
import { RecoveryAccountResources } from '../tests/standin/recoveryAccount';
import { StandInClient, type RoleCredentials } from '../tests/standin/StandInClient';

const root = join(__dirname, '..');

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  say('== starting the local EKS stand-in (kube-apiserver + etcd + token webhook + moto S3/STS), and a recovery cluster');
  const standIn = new StandIn({ clusterName: 'demo', recoveryCluster: true });
  const conn = await standIn.start();
  try {
    const c = new StandInClient(conn);
    say('== granting the delegate role system:masters through aws-auth and seeding the sample application');
    const creds = await c.issueRoleCredentials('eks-delegate-demo', 'delegate');
    await c.setAwsAuth([{ rolearn: creds.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
    const seeded = await seedSampleApp(c, 'shop');
    say(`   seeded ${seeded.length} objects in namespace shop and cluster scope (role ${creds.roleArn})`);

    say('== invoking dist/delegate/index.js with events/backup.json');
    const env = { ...c.delegateEnv(creds, { RECOVERY_PREFIX: 'eks/', POWERTOOLS_LOG_LEVEL: 'WARN' }) };
    const response = await invoke(join(root, 'events', 'backup.json'), env);
    say(JSON.stringify(response, null, 2));
    if (typeof response.location !== 'string' || response.status === 'FAILED') throw new Error('the backup did not complete');

    const s3 = c.s3();
    const folder = response.location.replace(`s3://${conn.bucket}/`, '');
    const manifestBody = await s3.send(new GetObjectCommand({ Bucket: conn.bucket, Key: `${folder}manifest.json` }));
    const manifest = parseManifest(Buffer.from(await manifestBody.Body!.transformToByteArray()));
    say(`== manifest.json: ${manifest.status}, ${manifest.archive.objects} objects, ${manifest.archive.bytes} bytes, sha256 ${manifest.archive.sha256.slice(0, 16)}...`);
    const deps = (manifest.awsDependencies as Array<{ type: string; id: string }>).map((d) => `${d.type} ${d.id}`);
    say(`   AWS dependencies (${deps.length}):`);
    for (const d of deps) say(`     ${d}`);

    say(`== ${response.location}resources.tar.gz, table of contents (namespace shop and cluster-scoped objects of the sample):`);
    const archive = await s3.send(new GetObjectCommand({ Bucket: conn.bucket, Key: `${folder}resources.tar.gz` }));
    let total = 0;
    for await (const entry of readArchiveEntries(Readable.from(Buffer.from(await archive.Body!.transformToByteArray())))) {
      total++;
      const show = entry.kind !== 'object' || entry.namespace === 'shop' || seeded.some((s) => !s.namespace && s.name === entry.name);
      if (show) say(`   ${entry.path}  (${entry.body.length} bytes)`);
    }
    say(`   ... ${total} entries in all (the rest are the API server's own objects: RBAC roles, kube-system, ...)`);
    s3.destroy();
    await dayTwo(c, env);
    await disasterRecovery(c);
    await durableRecovery(c, creds);
    await readiness(c, creds);
  } finally {
    say('== stopping the stand-in');
    await standIn.stop();
  }
}

/**
 * Day two (issue 14): a small change, a second backup, then what an operator runs every week: the CLI's
 * list of recovery points and the diff between the two.
 */
async function dayTwo(c: StandInClient, env: Record<string, string>): Promise<void> {
  say('== day two: editing ConfigMap shop/orders-config and scaling Deployment shop/web, then a second backup');
  await c.kube('PATCH', '/api/v1/namespaces/shop/configmaps/orders-config', { data: { LOG_LEVEL: 'debug' } }, 'application/merge-patch+json');
  await c.kube('PATCH', '/apis/apps/v1/namespaces/shop/deployments/web', { spec: { replicas: 3 } }, 'application/merge-patch+json');
  // Recovery point ids carry the second the backup started.
  await new Promise((r) => setTimeout(r, 1100));
  const second = await invoke(join(root, 'events', 'backup.json'), env);
  say(`   ${String(second.status)}: ${String(second.recoveryPointId)}, ${String(second.objects)} objects`);
  say('== eks-delegate list');
  await cli(['list'], env);
  say('== eks-delegate diff   (the newest against the one before it)');
  await cli(['diff'], env);
}

/**
 * The primary region is gone: the delegate in the recovery account (444455556666, us-west-2) restores the
 * latest recovery point into the recovery cluster. A dry run first, then the restore, then a look at what
 * the recovery cluster now runs.
 */
async function disasterRecovery(primary: StandInClient): Promise<void> {
  const recovery = primary.recovery();
  const creds = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName ?? 'ArpioPrimaryK8sDel-444455556666-us-west-2');
  const env = recovery.delegateEnv(creds, { RECOVERY_PREFIX: 'eks/' });
  const flags = [
    '--source-cluster', primary.conn.clusterName, '--source-region', primary.conn.region,
    '--identifier-map', Object.entries(identifierMap(recovery)).map(([from, to]) => `${from}=${to}`).join(','),
  ];
  say(`== disaster recovery: ${recovery.conn.clusterName} (account ${recovery.conn.account}, ${recovery.conn.region}) restores the latest recovery point of ${primary.conn.clusterName}`);
  say(`== eks-delegate restore --dry-run ${flags.join(' ')}`);
  await cli(['restore', '--dry-run', ...flags], env);
  say(`== eks-delegate restore ${flags.join(' ')}`);
  await cli(['restore', ...flags], env);
  const dep = (await recovery.kube('GET', '/apis/apps/v1/namespaces/shop/deployments/orders')).json<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>();
  const sa = (await recovery.kube('GET', '/api/v1/namespaces/shop/serviceaccounts/orders')).json<{ metadata: { annotations?: Record<string, string> } }>();
  say(`== in ${recovery.conn.clusterName} now: deployment shop/orders runs ${dep.spec.template.spec.containers[0]?.image ?? '?'}`);
  say(`   service account shop/orders assumes ${sa.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '?'}`);
}

/**
 * No time for a second step in an invocation (each hands over after one), so that a few objects (a step per
 * type) take several invocations, as a large restore does at the default 10 minutes of steps an invocation.
 */
const DURABLE_INVOCATION_BUDGET_MS = 0;
/** Between two describe-restore calls while the durable restore runs (the CLI's own follow waits 10 s). */
const DESCRIBE_EVERY_MS = 1000;

/**
 * A restore that finishes by itself, as a durable execution (Lambda durable functions): a recovery point of
 * namespace shop's workloads restored into shop-durable. AWS's local runner (LocalDurableTestRunner, on
 * Node 22: the SDK's engine) plays the Lambda service and runs each invocation of the bundled durable function in
 * a process of its own; meanwhile the recovery delegate answers describe-restore from the status object the steps
 * write, as an operator would poll it. Ends with the outcome and `eks-delegate restore describe`.
 */
async function durableRecovery(primary: StandInClient, sourceCreds: RoleCredentials): Promise<void> {
  const recovery = primary.recovery();
  const prefix = 'durable-demo/';
  const backup = await invoke(join(root, 'events', 'backup.json'), primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'WARN' }), {
    includeNamespaces: ['shop'], includeResources: ['namespaces', 'serviceaccounts', 'secrets', 'configmaps', 'services', 'deployments.apps', 'cronjobs.batch'] });
  const recoveryPointId = String(backup.recoveryPointId);
  const creds = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName ?? 'ArpioPrimaryK8sDel-444455556666-us-west-2');
  const env = recovery.delegateEnv(creds, { RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'WARN' });
  const restoreId = newRecoveryPointId(new Date());
  const target = 'shop-durable';
  say(`== a restore that finishes by itself: a durable execution (Lambda durable functions; AWS's local runner plays the Lambda service, on Node 22)`);
  say(`   ${primary.conn.clusterName}/${recoveryPointId} (namespace shop's workloads, ${String(backup.objects)} objects) into namespace ${target} of ${recovery.conn.clusterName}, restore ${restoreId};`);
  say(`   a step per type (up to 2000 objects), one step an invocation (budget ${DURABLE_INVOCATION_BUDGET_MS} ms, default 10 min), so that it takes several invocations`);
  const dir = mkdtempSync(join(tmpdir(), 'demo-durable-'));
  const eventFile = join(dir, 'event.json');
  const resultFile = join(dir, 'result.json');
  writeFileSync(eventFile, JSON.stringify({
    action: 'restore', mode: 'durable', restoreId, namespaceMapping: { shop: target }, identifierMap: identifierMap(recovery),
    source: { clusterName: primary.conn.clusterName, region: primary.conn.region, prefix, recoveryPointId },
  }));
  const node22 = execFileSync('bash', [join(root, 'scripts', 'node22.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const t0 = performance.now();
  const runner = spawn(node22, [join(root, 'tests', 'integration', 'durable', 'runner.cjs'), eventFile, resultFile], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env,
      RESTORE_INVOCATION_BUDGET_MS: String(DURABLE_INVOCATION_BUDGET_MS),
    },
    // stdout: a line per invocation process; stderr: the function's warnings. Shown only if the runner fails.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  runner.stdout.on('data', (d: Buffer) => (output += d.toString()));
  runner.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let done = false;
  const ended = new Promise<number | null>((resolve, reject) => {
    runner.on('error', reject);
    runner.on('close', resolve);
  }).finally(() => (done = true));
  // The operator's view while it runs: describe-restore every second, a line when another step has finished.
  say(`== describe-restore ${restoreId}, every ${DESCRIBE_EVERY_MS / 1000} s while it runs`);
  let shown = -1;
  while (!done) {
    await Promise.race([ended, new Promise((r) => setTimeout(r, DESCRIBE_EVERY_MS))]);
    if (done) break;
    const d = await invoke(join(root, 'events', 'describe-restore.json'), env, { restoreId });
    const steps = d.steps as { done: number; total: number } | undefined;
    if (d.state !== 'RUNNING' || !steps || steps.done === shown) continue;
    shown = steps.done;
    say(`   ${progressLine(d)}`);
  }
  const code = await ended;
  const run = code === 0 ? JSON.parse(readFileSync(resultFile, 'utf8')) as { status: string; invocations: number } : undefined;
  rmSync(dir, { recursive: true, force: true });
  if (run?.status !== 'SUCCEEDED') throw new Error(`the durable restore did not succeed (runner exit ${code}, ${run?.status ?? 'no result'}):\n${output.slice(-3000)}`);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const d = await invoke(join(root, 'events', 'describe-restore.json'), env, { restoreId });
  const outcomes = Object.entries((d.outcomes ?? {}) as Record<string, number>).filter(([, n]) => n > 0).map(([o, n]) => `${n} ${o}`).join(', ');
  say(`   ${String(d.state)} (mode ${String(d.mode)}): ${outcomes || 'nothing restored'}; ${(d.steps as { done: number }).done} steps in ${run.invocations} invocations, ${seconds} s`);
  say(`== eks-delegate restore describe ${restoreId}`);
  await cli(['restore', 'describe', restoreId], env);
}

/** One describe-restore of a running restore as a line: the step last finished, objects done of total, rate, ETA. */
function progressLine(d: Record<string, unknown>): string {
  const steps = d.steps as { done: number; total: number };
  const objects = d.objects as { done: number; total: number } | undefined;
  const current = d.current as { step: string } | undefined;
  const rate = typeof d.objectsPerSecond === 'number' ? `${d.objectsPerSecond.toFixed(1)} objects/s` : 'rate -';
  const eta = typeof d.etaSeconds === 'number' ? `ETA ${d.etaSeconds} s` : 'ETA -';
  const done = objects ? `${objects.done}/${objects.total} objects` : '';
  if (steps.done === 0) return `RUNNING  ${done}  prepared: recovery point checked, ${steps.total} steps planned`;
  return `RUNNING  ${done}  step ${steps.done}/${steps.total}${current ? ` ${current.step}` : ''}  ${rate}  ${eta}`;
}

/** What the recovery side calls the sample's generated AWS ids (an EBS volume, a certificate). */
function identifierMap(recovery: StandInClient): Record<string, string> {
  return {
    [SAMPLE_EBS_VOLUME]: 'vol-0f9e8d7c6b5a41320',
    [SAMPLE_CERT_ARN]: `arn:aws:acm:${recovery.conn.region}:${recovery.conn.account}:certificate/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4`,
  };
}

/**
 * Readiness (issue 25), as the recovery stack's schedule runs it: a small payments service is backed up;
 * in the recovery account its IRSA role, its ECR repository and a certificate exist, but replication has not
 * brought the image tag it runs. Readiness finds that one problem before a disaster would.
 */
async function readiness(primary: StandInClient, sourceCreds: RoleCredentials): Promise<void> {
  const recovery = primary.recovery();
  const creds = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName ?? 'ArpioPrimaryK8sDel-444455556666-us-west-2');
  const ns = 'payments';
  const prefix = 'readiness-demo/';
  const repository = 'payments/api';
  say(`== readiness: would ${primary.conn.clusterName}'s ${ns} service restore into ${recovery.conn.clusterName}? (a planted problem: image tag 2.0 not replicated)`);
  await primary.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await primary.apply(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: 'api', namespace: ns, annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${primary.conn.account}:role/payments-api` } } });
  await primary.apply(`/apis/apps/v1/namespaces/${ns}/deployments`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: ns },
    spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { serviceAccountName: 'api',
      containers: [{ name: 'api', image: `${primary.conn.account}.dkr.ecr.${primary.conn.region}.amazonaws.com/${repository}:2.0` }] } } } });
  const backup = await invoke(join(root, 'events', 'backup.json'), primary.delegateEnv(sourceCreds, {
    RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'WARN' }), { includeNamespaces: [ns], includeResources: ['namespaces', 'serviceaccounts', 'deployments.apps'] });
  say(`   backed up ${String(backup.objects)} objects of ${ns}: ${String(backup.recoveryPointId)}`);
  const account = new RecoveryAccountResources(recovery, creds, { roleName: 'payments-api', repository });
  await account.createAll();
  await account.removeImage();
  account.destroy();
  // delegateEnv points the lookups (IAM, ECR, ACM, ...) at moto, the recovery account here.
  const env = recovery.delegateEnv(creds, { RECOVERY_PREFIX: prefix, POWERTOOLS_LOG_LEVEL: 'WARN' });
  const args = ['readiness', String(backup.recoveryPointId), '--source-cluster', primary.conn.clusterName, '--source-region', primary.conn.region, '--source-prefix', prefix];
  say(`== eks-delegate ${args.join(' ')}`);
  const code = await cli(args, env, [0, 1, 2]);
  say(`== readiness exited ${code} (0 READY, 2 AT_RISK, 1 NOT_READY); the HTML page beside the JSON report opens in any browser`);
}

/** Runs the built CLI (bin/eks-delegate.js) with the delegate's environment, its output shown as is; resolves with its exit code. */
function cli(args: string[], env: Record<string, string>, accept: number[] = [0]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'eks-delegate.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...(process.env.NO_COLOR ? { NO_COLOR: process.env.NO_COLOR } : {}), ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) => (code !== null && accept.includes(code) ? resolve(code) : reject(new Error(`eks-delegate ${args.join(' ')} exited ${code}`))));
  });
}

/** Invokes the bundle with an event file; `overrides` are merged into the event (written beside it). */
function invoke(eventFile: string, env: Record<string, string>, overrides?: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (overrides) {
    const file = join(mkdtempSync(join(tmpdir(), 'demo-event-')), 'event.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(eventFile, 'utf8')) as Record<string, unknown>), ...overrides }));
    eventFile = file;
  }
  return new Promise((resolve, reject) => {
    // DELEGATE_NODE (as in npm test's second pass) runs the handler on another node, e.g. scripts/node22.sh's.
    const child = spawn(process.env.DELEGATE_NODE || process.execPath, [join(root, 'scripts', 'invoke-bundle.cjs'), eventFile], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as Record<string, unknown>);
      } catch {
        reject(new Error(`the handler printed no response (exit ${code}):\n${out}`));
      }
    });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
