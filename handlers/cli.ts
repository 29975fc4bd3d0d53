// The `eks-delegate` command line: the handler's twin for people. `token` prints an ExecCredential like
// `aws eks get-token`, so the delegate's own token works as a kubectl exec credential plugin; every other
// subcommand builds the event its action reads from the flags and runs the same handler code. The catalog
// subcommands (list, describe, verify, diff) print tables for people and, with --json, the response as is;
// backup, check-access, preflight and invoke print the JSON response.
//
// Exit codes: 0 ok, 1 failed (or the recovery point is INVALID), 2 partial, 64 usage (bad flags or input).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { readEnvironment } from '../lib/config/environment';
import { createAwsClients } from '../lib/aws/clients';
import { buildKubeconfig } from '../lib/eks/buildKubeconfig';
import { describeClusterConnection, mintEksToken } from '../lib/eks';
import { invokeDelegate, type DelegateResponse } from './delegate';
import { EXIT, exitCodeOf } from './cli/exitCodes';
import { colorsFor } from './cli/format';
import { progressLine } from './cli/progress';
import { renderDescribe, renderDiff, renderFailure, renderList, renderRestore, renderVerify } from './cli/render';
import { renderDrift, renderReadiness } from './cli/renderReadiness';

const EPILOG = `
Defaults come from CLUSTER_NAME, AWS_REGION, RECOVERY_BUCKET, RECOVERY_PREFIX; AWS credentials from the
standard chain (environment, profile, instance/container role). Recovery point ids may be "latest".
Exit codes: 0 ok (READY), 1 failed, invalid or NOT_READY, 2 partial or AT_RISK, 64 usage.`;

type Flags = Record<string, string | boolean | undefined>;

/**
 * stdout carries only the command's result: the handler's Powertools logs go to stderr, and metrics
 * (CloudWatch EMF lines, meaningless outside Lambda) are off unless asked for.
 */
function keepStdoutForResults(): void {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // In dev mode Powertools writes through the global console, which is pointed at stderr here.
  process.env.POWERTOOLS_DEV ??= 'true';
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}

/** Drops undefined fields, so the event carries only what the user gave. */
function eventOf(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function csv(v: string | boolean | undefined): string[] | undefined {
  return typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

function location(o: Flags): Record<string, unknown> {
  return { clusterName: str(o.clusterName), region: str(o.region), bucket: str(o.bucket), prefix: str(o.prefix) };
}

/** Runs one action; `render` lays out a successful response for people (JSON when absent or with --json). */
async function runAction(event: Record<string, unknown>, o: Flags, render?: (r: DelegateResponse) => string): Promise<number> {
  const progress = progressLine();
  let response: DelegateResponse;
  try {
    response = await invokeDelegate(event, { onProgress: (p) => progress.update(p) });
  } finally {
    progress.stop();
  }
  if (!render || o.json) {
    process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
  } else {
    const c = colorsFor(process.stdout);
    const failed = response.status === 'FAILED';
    process.stdout.write(`${failed ? renderFailure(response, c) : render(response)}\n`);
  }
  return exitCodeOf(response);
}

function program(setExit: (code: number) => void): Command {
  const p = new Command('eks-delegate')
    .description('Backs up an Amazon EKS cluster to S3 recovery points, and tells you what you have.')
    .addHelpText('after', EPILOG)
    .showHelpAfterError('(eks-delegate --help lists the commands)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  const clusterFlags = (cmd: Command) => cmd
    .option('--cluster-name <name>', 'EKS cluster (default CLUSTER_NAME)')
    .option('--region <region>', 'AWS region (default AWS_REGION)');
  const locationFlags = (cmd: Command) => clusterFlags(cmd)
    .option('--bucket <bucket>', 'recovery bucket (default RECOVERY_BUCKET)')
    .option('--prefix <prefix>', 'key prefix (default RECOVERY_PREFIX)');
  const json = (cmd: Command) => cmd.option('--json', 'print the response as JSON, for scripts');
  const action = (cmd: Command, run: (o: Flags, args: string[]) => Promise<number>) => cmd.action(async (...args: unknown[]) => {
    // commander passes the positional arguments, then the options, then the command.
    const command = args.at(-1) as Command;
    setExit(await run(command.opts<Flags>(), command.args));
  });

  action(clusterFlags(p.command('token').description('print an ExecCredential (kubectl exec plugin)')), async (o) => {
    const target = clusterTarget(o);
    if (!target) return EXIT.USAGE;
    const token = await mintEksToken({ ...target, credentials: await defaultProvider()() });
    process.stdout.write(`${JSON.stringify(execCredential(token.token, token.expiresAt))}\n`);
    return EXIT.OK;
  });
  action(clusterFlags(p.command('kubeconfig').description('print a kubeconfig that authenticates with `token`')), async (o) => {
    const target = clusterTarget(o);
    return target ? printKubeconfig(target.clusterName, target.region) : EXIT.USAGE;
  });

  action(json(locationFlags(p.command('backup').description('back up the cluster now (prints the JSON response)'))
    .option('--recovery-point-id <id>', 'id of the new recovery point (default: the start time)')
    .option('--include-namespaces <a,b>').option('--exclude-namespaces <a,b>')
    .option('--include-resources <a,b>').option('--exclude-resources <a,b>')), (o) => runAction(eventOf({
    action: 'backup', ...location(o), recoveryPointId: str(o.recoveryPointId),
    includeNamespaces: csv(o.includeNamespaces), excludeNamespaces: csv(o.excludeNamespaces),
    includeResources: csv(o.includeResources), excludeResources: csv(o.excludeResources),
  }), o));
  action(json(clusterFlags(p.command('check-access').description('check what the delegate may read, and how to fix it'))),
    (o) => runAction(eventOf({ action: 'check-access', clusterName: str(o.clusterName), region: str(o.region) }), o));
  action(json(clusterFlags(p.command('preflight').description('check that EKS, STS, S3 and the cluster are reachable'))),
    (o) => runAction(eventOf({ action: 'preflight', clusterName: str(o.clusterName), region: str(o.region) }), o));
  action(p.command('invoke').description('run the handler with an event file (what `sam local invoke -e FILE` does)')
    .requiredOption('--event <file>', 'event JSON file'), (o) => {
    const event = JSON.parse(readFileSync(String(o.event), 'utf8')) as Record<string, unknown>;
    return runAction(event, o);
  });

  action(json(locationFlags(p.command('list').description('recovery points, newest first'))
    .option('--limit <n>', 'rows per page (1-1000, default 100)')
    .option('--next-token <id>', 'continue after this id (printed when more follow)')), (o) => runAction(eventOf({
    action: 'list-recovery-points', ...location(o), limit: typeof o.limit === 'string' ? Number(o.limit) : undefined, nextToken: str(o.nextToken),
  }), o, (r) => renderList(r, colorsFor(process.stdout))));
  action(json(locationFlags(p.command('describe').description('a recovery point\'s manifest, summarised')
    .argument('[id]', 'recovery point id, or latest', 'latest')
    .option('--details', 'list the AWS dependencies themselves'))), (o, args) => runAction(eventOf({
    action: 'describe-recovery-point', ...location(o), recoveryPointId: args[0] ?? 'latest', details: o.details === true ? true : undefined,
  }), o, (r) => renderDescribe(r, colorsFor(process.stdout))));
  action(json(locationFlags(p.command('verify').description('check a recovery point\'s archive against its manifest (no cluster needed)')
    .argument('[id]', 'recovery point id, or latest', 'latest'))), (o, args) => runAction(eventOf({
    action: 'verify-recovery-point', ...location(o), recoveryPointId: args[0] ?? 'latest',
  }), o, (r) => renderVerify(r, colorsFor(process.stdout))));
  action(json(locationFlags(p.command('diff').description('what changed between two recovery points')
    .argument('[from]', 'older recovery point (default: the one before <to>)')
    .argument('[to]', 'newer recovery point (default: the newest)'))), (o, args) => runAction(eventOf({
    action: 'diff-recovery-points', ...location(o), from: args[0], to: args[1],
  }), o, (r) => renderDiff(r, colorsFor(process.stdout))));
  action(json(clusterFlags(p.command('restore').description('restore a recovery point into this (the recovery) cluster; try --dry-run first')
    .argument('[id]', 'recovery point id, or latest', 'latest')
    .option('--source-cluster <name>', 'the cluster the recovery point was taken from (default: --cluster-name)')
    .option('--source-bucket <bucket>', 'bucket holding it (default RECOVERY_BUCKET)')
    .option('--source-prefix <prefix>', 'its key prefix (default RECOVERY_PREFIX)')
    .option('--source-region <region>', 'the source bucket\'s region (default --region)')
    .option('--dry-run', 'send every write with dryRun=All: admission and validation run, nothing is stored')
    .option('--existing-resource-policy <skip|update>', 'what to do with objects that exist (default skip)')
    .option('--namespace-mapping <from=to,...>', 'restore namespaces under other names')
    .option('--identifier-map <from=to,...>', 'replacements for AWS-generated ids (volumes, certificates, ...)')
    .option('--translate <known-fields|everywhere|off>', 'where AWS identifiers are rewritten (default known-fields)')
    .option('--include-namespaces <a,b>').option('--exclude-namespaces <a,b>')
    .option('--include-resources <a,b>').option('--exclude-resources <a,b>'))), (o, args) => runAction(eventOf({
    action: 'restore', clusterName: str(o.clusterName), region: str(o.region),
    source: eventOf({
      clusterName: str(o.sourceCluster), bucket: str(o.sourceBucket), prefix: str(o.sourcePrefix), region: str(o.sourceRegion),
      recoveryPointId: args[0] ?? 'latest',
    }),
    dryRun: o.dryRun === true ? true : undefined, existingResourcePolicy: str(o.existingResourcePolicy), translate: str(o.translate),
    namespaceMapping: pairs(o.namespaceMapping), identifierMap: pairs(o.identifierMap),
    includeNamespaces: csv(o.includeNamespaces), excludeNamespaces: csv(o.excludeNamespaces),
    includeResources: csv(o.includeResources), excludeResources: csv(o.excludeResources),
  }), o, (r) => renderRestore(r, colorsFor(process.stdout))));
  action(json(clusterFlags(p.command('readiness').description('would a restore into this (the recovery) cluster work, within the RPO and RTO targets? (dry run only)')
    .argument('[id]', 'recovery point id, or latest', 'latest')
    .option('--source-cluster <name>', 'the cluster the recovery point was taken from (default: --cluster-name)')
    .option('--source-bucket <bucket>', 'bucket holding it (default RECOVERY_BUCKET)')
    .option('--source-prefix <prefix>', 'its key prefix (default RECOVERY_PREFIX)')
    .option('--source-region <region>', 'the source bucket\'s region (default --region)')
    .option('--namespace-mapping <from=to,...>', 'as the restore would map namespaces')
    .option('--identifier-map <from=to,...>', 'as the restore would replace AWS-generated ids')
    .option('--translate <known-fields|everywhere|off>', 'as the restore would translate (default known-fields)'))), (o, args) => runAction(eventOf({
    action: 'readiness', clusterName: str(o.clusterName), region: str(o.region),
    source: eventOf({
      clusterName: str(o.sourceCluster), bucket: str(o.sourceBucket), prefix: str(o.sourcePrefix), region: str(o.sourceRegion),
      recoveryPointId: args[0] ?? 'latest',
    }),
    translate: str(o.translate), namespaceMapping: pairs(o.namespaceMapping), identifierMap: pairs(o.identifierMap),
  }), o, (r) => renderReadiness(r, colorsFor(process.stdout))));
  action(json(locationFlags(p.command('drift').description('what changed in the live cluster since its recovery point (what a disaster now would lose)')
    .argument('[id]', 'recovery point id, or latest', 'latest'))), (o, args) => runAction(eventOf({
    action: 'drift', ...location(o), recoveryPointId: args[0] ?? 'latest',
  }), o, (r) => renderDrift(r, colorsFor(process.stdout))));
  return p;
}

/** `a=b,c=d` as `{a: 'b', c: 'd'}`; an entry without `=` maps to '' so the handler names it. */
function pairs(v: string | boolean | undefined): Record<string, string> | undefined {
  const list = csv(v);
  if (list === undefined) return undefined;
  return Object.fromEntries(list.map((entry) => {
    const at = entry.indexOf('=');
    return at < 0 ? [entry, ''] : [entry.slice(0, at).trim(), entry.slice(at + 1).trim()];
  }));
}

function clusterTarget(o: Flags): { clusterName: string; region: string } | undefined {
  const env = readEnvironment();
  const clusterName = str(o.clusterName) ?? env.clusterName;
  const region = str(o.region) ?? env.region;
  if (!clusterName || !region) {
    process.stderr.write('needs --cluster-name and --region (or CLUSTER_NAME and AWS_REGION)\n');
    return undefined;
  }
  return { clusterName, region };
}

async function printKubeconfig(clusterName: string, region: string): Promise<number> {
  const clients = createAwsClients({ region, s3ForcePathStyle: readEnvironment().s3ForcePathStyle });
  try {
    const connection = await describeClusterConnection(clients.eks, clusterName, region);
    // Run the plugin the way this CLI was run: node + script path, so it works without a global install.
    const script = process.argv[1];
    const plugin = script ? { command: process.execPath, args: [script] } : { command: 'eks-delegate' };
    process.stdout.write(`${buildKubeconfig(connection, plugin)}\n`);
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
  // People reading a table want the answer, not the handler's INFO logs (LOG_LEVEL still wins when set).
  if (['list', 'describe', 'verify', 'diff', 'restore'].includes(argv[0] ?? '')) process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  let code: number = EXIT.OK;
  const p = program((c) => {
    code = c;
  });
  if (argv.length === 0) {
    p.outputHelp({ error: true });
    return EXIT.USAGE;
  }
  try {
    await p.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; everything else commander refuses is a usage error.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
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
    process.stderr.write(`eks-delegate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.FAILED;
  },
);
