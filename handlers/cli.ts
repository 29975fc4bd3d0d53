// The `eks-delegate` command line: the handler's twin for people. `token` prints an ExecCredential like
// `aws eks get-token`, so the delegate's own token works as a kubectl exec credential plugin; every other
// subcommand builds the event its action reads from the flags and runs the same handler code.
//
// Every command goes through one layer (handlers/cli/output.ts, exitCodes.ts, progress.ts): the result on
// stdout as `-o table|json|yaml`, everything else on stderr; progress on a TTY only, erased before the
// result; the handler's logs at WARN unless `-v`; one table of exit codes (docs/cli.md). A new action's
// command needs only its flags, its event and, if it wants one, a renderer.
import { format } from 'node:util';
import { Command, CommanderError } from 'commander';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import packageJson from '../package.json';
import { readEnvironment } from '../lib/config/environment';
import { createAwsClients } from '../lib/aws/clients';
import { buildKubeconfig } from '../lib/eks/buildKubeconfig';
import { describeClusterConnection, mintEksToken } from '../lib/eks';
import { invokeDelegate, type DelegateResponse, type ProgressReport } from './delegate';
import { CliInputError } from './cli/errors';
import { EXIT, EXIT_CODE_MEANINGS, type ExitCode } from './cli/exitCodes';
import { csv, identifierMap, namespaceMapping, readEventFile, regionMap, zoneMap } from './cli/input';
import { outputFormatOf, rendererFor, writeResult, type OutputFormat, type Renderer } from './cli/output';
import { progressLine, type ProgressLine } from './cli/progress';
import { followRestore } from './cli/followRestore';
import { invokeDeployedDelegate } from './cli/remoteInvoke';
import { renderDescribe, renderDiff, renderList, renderRestore, renderResumeGitops, renderSummary, renderVerify } from './cli/render';
import { renderCheckAccess } from './cli/renderAccess';
import { renderDrift, renderReadiness } from './cli/renderReadiness';
import { renderRestoreDescribe, renderRestoreList } from './cli/renderRestores';

const EPILOG = `
Defaults come from CLUSTER_NAME, AWS_REGION, RECOVERY_BUCKET, RECOVERY_PREFIX; AWS credentials from the
standard chain (environment, profile, instance/container role). Recovery point ids may be "latest" (the newest
whole-cluster recovery point) or "latest-any" (filtered ones too).
--function <name|arn> runs a command on the deployed delegate instead (lambda:InvokeFunction): from a laptop,
a private cluster's endpoint is reachable only from the function in its subnets.
Every command takes -o table|json|yaml (--json is -o json) and -v (INFO logs on stderr; -vv DEBUG).

Exit codes (the same in every command):
${EXIT_CODE_MEANINGS.map(({ code, meaning }) => `  ${String(code).padStart(2)}  ${meaning}`).join('\n')}
`;

type Flags = Record<string, unknown>;

/** The progress line while an action runs: log lines printed meanwhile are written around it. */
let activeProgress: ProgressLine | undefined;

/**
 * stdout carries only the command's result: the handler's Powertools logs (written through the global
 * console in dev mode) go to stderr, around the progress line; metrics (CloudWatch EMF lines, meaningless
 * outside Lambda) are off unless asked for.
 */
function keepStdoutForResults(): void {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_DEV ??= 'true';
  const toStderr = (...args: unknown[]) => {
    const line = `${format(...args)}\n`;
    if (activeProgress) activeProgress.interject(line);
    else process.stderr.write(line);
  };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  console.warn = toStderr;
  console.error = toStderr;
}

/** `-v` INFO, `-vv` DEBUG; without it WARN, unless POWERTOOLS_LOG_LEVEL or LOG_LEVEL says otherwise. */
function setLogLevel(verbosity: number): void {
  if (verbosity >= 2) process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  else if (verbosity === 1) process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  else if (process.env.POWERTOOLS_LOG_LEVEL === undefined && process.env.LOG_LEVEL === undefined) process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
}

/** Drops undefined fields, so the event carries only what the user gave. */
function eventOf(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function location(o: Flags): Record<string, unknown> {
  return { clusterName: str(o.clusterName), region: str(o.region), bucket: str(o.bucket), prefix: str(o.prefix) };
}

/** What a command does besides its event: how it renders, and what to hint after a failure. */
interface Presentation {
  render?: Renderer;
  hints?: (response: DelegateResponse) => string[];
  /** What the first answer leads to (a durable restore, followed until it ends); the same invoke path. */
  follow?: (response: DelegateResponse, invoke: Invoke, onProgress: (p: ProgressReport) => void) => Promise<DelegateResponse>;
}

type Invoke = (event: Record<string, unknown>) => Promise<DelegateResponse>;

/** Runs one action with a progress line on a TTY, erased before the result is written. */
async function runAction(event: Record<string, unknown>, o: Flags, { render, hints, follow }: Presentation = {}): Promise<ExitCode> {
  const output = outputFormatOf(o);
  const progress = progressLine();
  activeProgress = progress;
  const onProgress = (p: ProgressReport) => progress.update(p);
  const invoke: Invoke = (ev) => (typeof o.function === 'string'
    ? invokeDeployedDelegate(o.function, ev, { region: str(o.region) ?? process.env.AWS_REGION })
    : invokeDelegate(ev, { onProgress }));
  let response: DelegateResponse;
  try {
    response = await invoke(event);
    if (follow) response = await follow(response, invoke, onProgress);
  } finally {
    progress.stop();
    activeProgress = undefined;
  }
  return writeResult(response, output, process, render, hints?.(response) ?? []);
}

function program(setExit: (code: number) => void): Command {
  const p = new Command('eks-delegate')
    .description('Backs up an Amazon EKS cluster to S3 recovery points, and tells you what you have.')
    .version(packageJson.version, '--version', 'print the version of eks-delegate')
    // Each command's options after its name, so a subcommand's (restore list -o json) reach it.
    .enablePositionalOptions()
    .addHelpText('after', EPILOG)
    .showHelpAfterError('(eks-delegate --help lists the commands)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  /** What every command takes: the output format and the log level. */
  const common = (cmd: Command) => cmd
    .option('-o, --output <format>', 'table (default), json or yaml')
    .option('--json', 'the same as -o json')
    .option('--function <name|arn>', 'run the action on the deployed delegate (lambda:InvokeFunction) instead of on this machine')
    .option('-v, --verbose', 'log INFO on stderr (-vv: DEBUG)', (_v: string, n: number) => n + 1, 0);
  const clusterFlags = (cmd: Command) => common(cmd)
    .option('--cluster-name <name>', 'EKS cluster (default CLUSTER_NAME)')
    .option('--region <region>', 'AWS region (default AWS_REGION)');
  const locationFlags = (cmd: Command) => clusterFlags(cmd)
    .option('--bucket <bucket>', 'recovery bucket (default RECOVERY_BUCKET)')
    .option('--prefix <prefix>', 'key prefix (default RECOVERY_PREFIX)');
  const action = (cmd: Command, run: (o: Flags, args: string[]) => Promise<number>) => cmd.action(async (...args: unknown[]) => {
    // commander passes the positional arguments, then the options, then the command.
    const command = args.at(-1) as Command;
    const o = command.opts<Flags>();
    setLogLevel(typeof o.verbose === 'number' ? o.verbose : 0);
    try {
      setExit(await run(o, command.args));
    } catch (err) {
      if (!(err instanceof CliInputError)) throw err;
      process.stderr.write(`eks-delegate ${command.name()}: ${err.message}\n`);
      setExit(EXIT.BAD_INPUT);
    }
  });

  action(clusterFlags(p.command('token').description('print an ExecCredential (kubectl exec plugin; JSON unless -o yaml)')), async (o) => {
    const output = outputFormatOf(o);
    const target = clusterTarget(o);
    const token = await mintEksToken({ ...target, credentials: await defaultProvider()() });
    const credential = execCredential(token.token, token.expiresAt);
    process.stdout.write(output === 'yaml' ? toYaml(credential) : `${JSON.stringify(credential)}\n`);
    return EXIT.OK;
  });
  action(clusterFlags(p.command('kubeconfig').description('print a kubeconfig that authenticates with `token` (YAML unless -o json)')), async (o) => {
    const output = outputFormatOf(o);
    const target = clusterTarget(o);
    return printKubeconfig(target.clusterName, target.region, output);
  });

  action(locationFlags(p.command('backup').description('back up the cluster now'))
    .option('--recovery-point-id <id>', 'id of the new recovery point (default: the start time)')
    .option('--include-namespaces <a,b>').option('--exclude-namespaces <a,b>')
    .option('--include-resources <a,b>').option('--exclude-resources <a,b>'), (o) => runAction(eventOf({
    action: 'backup', ...location(o), recoveryPointId: str(o.recoveryPointId),
    includeNamespaces: csv(o.includeNamespaces), excludeNamespaces: csv(o.excludeNamespaces),
    includeResources: csv(o.includeResources), excludeResources: csv(o.excludeResources),
  }), o));
  action(clusterFlags(p.command('check-access').description('check what the delegate may read, and how to fix it')),
    (o) => runAction(eventOf({ action: 'check-access', clusterName: str(o.clusterName), region: str(o.region) }), o, { render: rendererFor('check-access', renderCheckAccess) }));
  action(clusterFlags(p.command('preflight').description('check that EKS, STS, S3 and the cluster are reachable')),
    (o) => runAction(eventOf({ action: 'preflight', clusterName: str(o.clusterName), region: str(o.region) }), o));
  action(common(p.command('invoke').description('run the handler with an event file (what `sam local invoke -e FILE` does)'))
    .requiredOption('--event <file>', 'event JSON file'), (o) => runAction(readEventFile(String(o.event)), o));

  action(locationFlags(p.command('list').description('recovery points, newest first'))
    .option('--limit <n>', 'rows per page (1-1000, default 100)')
    .option('--next-token <id>', 'continue after this id (printed when more follow)'), (o) => runAction(eventOf({
    action: 'list-recovery-points', ...location(o), limit: typeof o.limit === 'string' ? Number(o.limit) : undefined, nextToken: str(o.nextToken),
  }), o, { render: rendererFor('list-recovery-points', renderList) }));
  action(locationFlags(p.command('describe').description('a recovery point\'s manifest, summarised')
    .argument('[id]', 'recovery point id, or latest', 'latest')
    .option('--details', 'list the AWS dependencies themselves')), (o, args) => runAction(eventOf({
    action: 'describe-recovery-point', ...location(o), recoveryPointId: args[0] ?? 'latest', details: o.details === true ? true : undefined,
  }), o, { render: rendererFor('describe-recovery-point', renderDescribe) }));
  action(locationFlags(p.command('verify').description('check a recovery point\'s archive against its manifest (no cluster needed)')
    .argument('[id]', 'recovery point id, or latest', 'latest')), (o, args) => runAction(eventOf({
    action: 'verify-recovery-point', ...location(o), recoveryPointId: args[0] ?? 'latest',
  }), o, { render: rendererFor('verify-recovery-point', renderVerify) }));
  action(locationFlags(p.command('diff').description('what changed between two recovery points')
    .argument('[from]', 'older recovery point (default: the one before <to>)')
    .argument('[to]', 'newer recovery point (default: the newest)')), (o, args) => runAction(eventOf({
    action: 'diff-recovery-points', ...location(o), from: args[0], to: args[1],
  }), o, { render: rendererFor('diff-recovery-points', renderDiff) }));
  const restore = p.command('restore')
    // Its own options only before `list`/`describe`, so theirs (the same names) reach them.
    .enablePositionalOptions();
  action(clusterFlags(restore.description('restore a recovery point into this (the recovery) cluster; try --dry-run first; restore list, restore describe <id>: past restores')
    .argument('[id]', 'recovery point id, or latest', 'latest')
    .option('--no-wait', 'with a durable restore, answer at once with its restoreId instead of following it to its end')
    .option('--mode <sync|durable>', 'durable: a durable execution that continues across invocations by itself (default sync)')
    .option('--source-cluster <name>', 'the cluster the recovery point was taken from (default: --cluster-name)')
    .option('--source-bucket <bucket>', 'bucket holding it (default RECOVERY_BUCKET)')
    .option('--source-prefix <prefix>', 'its key prefix (default RECOVERY_PREFIX)')
    .option('--source-region <region>', 'the source bucket\'s region (default --region)')
    .option('--dry-run', 'send every write with dryRun=All: admission and validation run, nothing is stored')
    .option('--existing-resource-policy <skip|update>', 'what to do with objects that exist (default skip)')
    .option('--namespace-mapping <from=to,...>', 'restore namespaces under other names (from:to also accepted)')
    .option('--identifier-map <from=to,...>', 'replacements for AWS-generated ids (volumes, certificates, ...)')
    .option('--zone-map <from=to,...>', 'source zone -> recovery zone (us-east-1a=us-west-2a); from:to also accepted')
    .option('--region-map <from=to,...>', 'region -> region for region names in translated fields; from:to also accepted')
    .option('--translate <known-fields|everywhere|off>', 'where AWS identifiers are rewritten (default known-fields)')
    .option('--gitops <pause|off>', 'pause: restore Argo CD and Flux with automated sync held (release with resume-gitops; default off)')
    .option('--include-namespaces <a,b>').option('--exclude-namespaces <a,b>')
    .option('--include-resources <a,b>').option('--exclude-resources <a,b>')), (o, args) => runAction(eventOf({
    action: 'restore', clusterName: str(o.clusterName), region: str(o.region),
    source: eventOf({
      clusterName: str(o.sourceCluster), bucket: str(o.sourceBucket), prefix: str(o.sourcePrefix), region: str(o.sourceRegion),
      recoveryPointId: args[0] ?? 'latest',
    }),
    dryRun: o.dryRun === true ? true : undefined, mode: str(o.mode), existingResourcePolicy: str(o.existingResourcePolicy), translate: str(o.translate),
    gitops: str(o.gitops),
    namespaceMapping: namespaceMapping(o.namespaceMapping), identifierMap: identifierMap(o.identifierMap),
    zoneMap: zoneMap(o.zoneMap), regionMap: regionMap(o.regionMap),
    includeNamespaces: csv(o.includeNamespaces), excludeNamespaces: csv(o.excludeNamespaces),
    includeResources: csv(o.includeResources), excludeResources: csv(o.excludeResources),
    // A durable restore answers RUNNING at once, with its restoreId (then `restore describe <restoreId>`).
  }), o, {
    render: rendererFor('restore', (r, c) => (r.status === 'RUNNING' ? renderSummary(r, c) : renderRestore(r, c))), hints: (r) => restoreHints(r, o),
    // A durable restore is followed through describe-restore until it ends (its outcome is then printed).
    ...(o.wait === false ? {} : {
      follow: (r: DelegateResponse, invoke: Invoke, onProgress: (p: ProgressReport) => void) => followRestore(r, {
        invoke, onProgress, location: eventOf({ clusterName: str(o.clusterName), region: str(o.region) }),
      }),
    }),
  }));
  const reportFlags = (cmd: Command) => locationFlags(cmd)
    .option('--source-cluster <name>', 'the cluster the recovery points were taken from (default: --cluster-name)');
  action(reportFlags(restore.command('list').description('restores made from the cluster\'s recovery points or into it, newest first'))
    .option('--recovery-point <id>', 'only the restores of this recovery point')
    .option('--limit <n>', 'restores shown (1-200, default 20)'), (o) => runAction(eventOf({
    action: 'list-restores', ...location(o), sourceCluster: str(o.sourceCluster), recoveryPointId: str(o.recoveryPoint),
    limit: typeof o.limit === 'string' ? Number(o.limit) : undefined,
  }), o, { render: rendererFor('list-restores', renderRestoreList) }));
  action(reportFlags(restore.command('describe').description('what a restore did, from its report in S3')
    .argument('<restoreId>', 'the id the restore answered with (restore list shows them)')
    .option('--details', 'every object by outcome, not only the failed ones')), (o, args) => runAction(eventOf({
    action: 'describe-restore', ...location(o), sourceCluster: str(o.sourceCluster), restoreId: args[0], details: o.details === true ? true : undefined,
  }), o, { render: rendererFor('describe-restore', (r, c) => ('restoreStatus' in r ? renderRestoreDescribe(r, c) : renderSummary(r, c))) }));
  action(clusterFlags(p.command('resume-gitops').description('release the Argo CD and Flux appliers a `restore --gitops pause` held, back to the recovery point\'s settings')
    .option('--dry-run', 'send every write with dryRun=All: nothing is stored')
    .option('--namespaces <a,b>', 'only appliers in these namespaces (default all)')), (o) => runAction(eventOf({
    action: 'resume-gitops', clusterName: str(o.clusterName), region: str(o.region),
    dryRun: o.dryRun === true ? true : undefined, namespaces: csv(o.namespaces),
  }), o, { render: rendererFor('resume-gitops', renderResumeGitops) }));
  action(clusterFlags(p.command('readiness').description('would a restore into this (the recovery) cluster work, within the RPO and RTO targets? (dry run only)')
    .argument('[id]', 'recovery point id, latest or latest-any', 'latest')
    .option('--source-cluster <name>', 'the cluster the recovery point was taken from (default: --cluster-name)')
    .option('--source-bucket <bucket>', 'bucket holding it (default RECOVERY_BUCKET)')
    .option('--source-prefix <prefix>', 'its key prefix (default RECOVERY_PREFIX)')
    .option('--source-region <region>', 'the source bucket\'s region (default --region)')
    .option('--namespace-mapping <from=to,...>', 'as the restore would map namespaces')
    .option('--identifier-map <from=to,...>', 'as the restore would replace AWS-generated ids')
    .option('--zone-map <from=to,...>', 'as the restore would map zones')
    .option('--region-map <from=to,...>', 'as the restore would map region names')
    .option('--translate <known-fields|everywhere|off>', 'as the restore would translate (default known-fields)')), (o, args) => runAction(eventOf({
    action: 'readiness', clusterName: str(o.clusterName), region: str(o.region),
    source: eventOf({
      clusterName: str(o.sourceCluster), bucket: str(o.sourceBucket), prefix: str(o.sourcePrefix), region: str(o.sourceRegion),
      recoveryPointId: args[0] ?? 'latest',
    }),
    translate: str(o.translate), namespaceMapping: namespaceMapping(o.namespaceMapping), identifierMap: identifierMap(o.identifierMap),
    zoneMap: zoneMap(o.zoneMap), regionMap: regionMap(o.regionMap),
  }), o, { render: rendererFor('readiness', renderReadiness) }));
  action(locationFlags(p.command('drift').description('what changed in the live cluster since its recovery point (what a disaster now would lose)')
    .argument('[id]', 'recovery point id, latest or latest-any', 'latest')), (o, args) => runAction(eventOf({
    action: 'drift', ...location(o), recoveryPointId: args[0] ?? 'latest',
  }), o, { render: rendererFor('drift', renderDrift) }));
  return p;
}

/**
 * A restore looks the recovery point up under the recovery cluster's own name unless --source-cluster
 * says otherwise: when it is not found there, that is the likely fix.
 */
function restoreHints(response: DelegateResponse, o: Flags): string[] {
  if (!('notFound' in response) || response.notFound !== 'recovery-point' || str(o.sourceCluster) !== undefined) return [];
  const here = str(o.clusterName) ?? readEnvironment().clusterName ?? 'the recovery cluster';
  return [`the recovery point was looked up under cluster ${here} (--cluster-name, the cluster restored into); name the cluster it was backed up from with --source-cluster <name>`];
}

function clusterTarget(o: Flags): { clusterName: string; region: string } {
  const env = readEnvironment();
  const clusterName = str(o.clusterName) ?? env.clusterName;
  const region = str(o.region) ?? env.region;
  if (!clusterName) throw new CliInputError('no cluster: give --cluster-name <name> (or set CLUSTER_NAME)');
  if (!region) throw new CliInputError('no region: give --region <region> (or set AWS_REGION)');
  return { clusterName, region };
}

async function printKubeconfig(clusterName: string, region: string, output: OutputFormat): Promise<number> {
  const clients = createAwsClients({ region, s3ForcePathStyle: readEnvironment().s3ForcePathStyle });
  try {
    const connection = await describeClusterConnection(clients.eks, clusterName, region);
    // Run the plugin the way this CLI was run: node + script path, so it works without a global install.
    const script = process.argv[1];
    const plugin = script ? { command: process.execPath, args: [script] } : { command: 'eks-delegate' };
    const kubeconfig = buildKubeconfig(connection, plugin);
    process.stdout.write(output === 'json' ? `${JSON.stringify(parseYaml(kubeconfig), null, 2)}\n` : `${kubeconfig}\n`);
    return EXIT.OK;
  } finally {
    clients.destroy();
  }
}

/** The shape kubectl's exec plugin protocol expects; the apiVersion follows KUBERNETES_EXEC_INFO when kubectl sends it. */
function execCredential(token: string, expiresAt: Date): Record<string, unknown> {
  let apiVersion = 'client.authentication.k8s.io/v1beta1';
  try {
    const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO ?? '{}') as { apiVersion?: string };
    if (info.apiVersion) apiVersion = info.apiVersion;
  } catch {
    // kubectl always sends valid JSON; anything else keeps the default.
  }
  return {
    kind: 'ExecCredential',
    apiVersion,
    spec: {},
    status: { expirationTimestamp: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), token },
  };
}

async function main(argv: string[]): Promise<number> {
  keepStdoutForResults();
  let code: number = EXIT.OK;
  const p = program((c) => {
    code = c;
  });
  if (argv.length === 0) {
    p.outputHelp({ error: true });
    return EXIT.BAD_INPUT;
  }
  try {
    await p.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; everything else commander refuses is bad input.
      return err.exitCode === 0 ? EXIT.OK : EXIT.BAD_INPUT;
    }
    throw err;
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    activeProgress?.stop();
    process.stderr.write(`eks-delegate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.FAILED;
  },
);
