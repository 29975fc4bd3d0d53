// The `eks-delegate` command line. `token` prints an ExecCredential like `aws eks get-token`, so the
// delegate's own token works as a kubectl exec credential plugin; the other subcommands run the same
// actions as the Lambda handler, with an event built from the flags, and print the JSON response.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { readEnvironment } from '../lib/config/environment';
import { createAwsClients } from '../lib/aws/clients';
import { buildKubeconfig } from '../lib/eks/buildKubeconfig';
import { describeClusterConnection, mintEksToken } from '../lib/eks';
import { handler } from './delegate';

const USAGE = `usage: eks-delegate <command> [flags]

commands:
  token         --cluster-name NAME [--region REGION]   print an ExecCredential (kubectl exec plugin)
  kubeconfig    --cluster-name NAME [--region REGION]   print a kubeconfig that authenticates with \`token\`
  backup        [--cluster-name NAME] [--region R] [--bucket B] [--prefix P] [--recovery-point-id ID]
                [--include-namespaces a,b] [--exclude-namespaces a,b] [--include-resources a,b] [--exclude-resources a,b]
  check-access  [--cluster-name NAME] [--region R]
  preflight     [--cluster-name NAME] [--region R]
  invoke        --event FILE     run the handler with an event file (what \`sam local invoke -e FILE\` does)

Defaults come from CLUSTER_NAME, AWS_REGION, RECOVERY_BUCKET, RECOVERY_PREFIX; AWS credentials from the
standard chain (environment, profile, instance/container role).`;

const FLAGS = {
  'cluster-name': { type: 'string' },
  region: { type: 'string' },
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  'recovery-point-id': { type: 'string' },
  'include-namespaces': { type: 'string' },
  'exclude-namespaces': { type: 'string' },
  'include-resources': { type: 'string' },
  'exclude-resources': { type: 'string' },
  event: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ACTION_COMMANDS = new Set(['backup', 'check-access', 'preflight']);

/**
 * stdout carries only the command's result (JSON a script can pipe to jq): the handler's Powertools logs go to
 * stderr, and metrics (CloudWatch EMF lines, meaningless outside Lambda) are off unless asked for.
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

async function main(argv: string[]): Promise<number> {
  keepStdoutForResults();
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const { values } = parseArgs({ args: rest, options: FLAGS, strict: true, allowPositionals: false });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  if (command === 'token' || command === 'kubeconfig') {
    const env = readEnvironment();
    const clusterName = values['cluster-name'] ?? env.clusterName;
    const region = values.region ?? env.region;
    if (!clusterName || !region) {
      process.stderr.write(`${command} needs --cluster-name and --region (or CLUSTER_NAME and AWS_REGION)\n`);
      return 2;
    }
    if (command === 'kubeconfig') return printKubeconfig(clusterName, region, env.s3ForcePathStyle);
    const token = await mintEksToken({ clusterName, region, credentials: await defaultProvider()() });
    process.stdout.write(`${JSON.stringify(execCredential(token.token, token.expiresAt))}\n`);
    return 0;
  }

  let event: Record<string, unknown>;
  if (command === 'invoke') {
    if (!values.event) {
      process.stderr.write('invoke needs --event FILE\n');
      return 2;
    }
    event = JSON.parse(readFileSync(values.event, 'utf8')) as Record<string, unknown>;
  } else if (ACTION_COMMANDS.has(command)) {
    const csv = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));
    event = Object.fromEntries(Object.entries({
      action: command,
      clusterName: values['cluster-name'],
      region: values.region,
      bucket: values.bucket,
      prefix: values.prefix,
      recoveryPointId: values['recovery-point-id'],
      includeNamespaces: csv(values['include-namespaces']),
      excludeNamespaces: csv(values['exclude-namespaces']),
      includeResources: csv(values['include-resources']),
      excludeResources: csv(values['exclude-resources']),
    }).filter(([, v]) => v !== undefined));
  } else {
    process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const response = await handler(event);
  process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
  return isFailure(response) ? 1 : 0;
}

async function printKubeconfig(clusterName: string, region: string, s3ForcePathStyle: boolean): Promise<number> {
  const clients = createAwsClients({ region, s3ForcePathStyle });
  try {
    const connection = await describeClusterConnection(clients.eks, clusterName, region);
    // Run the plugin the way this CLI was run: node + script path, so it works without a global install.
    const script = process.argv[1];
    const plugin = script ? { command: process.execPath, args: [script] } : { command: 'eks-delegate' };
    process.stdout.write(`${buildKubeconfig(connection, plugin)}\n`);
    return 0;
  } finally {
    clients.destroy();
  }
}

function isFailure(response: unknown): boolean {
  const status = typeof response === 'object' && response !== null ? (response as { status?: unknown }).status : undefined;
  return status === 'FAILED' || status === 'INVALID' || status === 'NOT_AUTHENTICATED' || status === 'NO_ACCESS';
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`eks-delegate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
