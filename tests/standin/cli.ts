// `npm run standin`: starts the local EKS stand-in and keeps it running until Ctrl-C, printing how to
// reach it (and writing the connection file that tests and scripts read). Starts the recovery cluster too.
// For use by hand it also seeds the sample application, maps a delegate role in each cluster and writes
// .standin/primary.env and .standin/recovery.env: in a second terminal,
//   source .standin/primary.env && npx eks-delegate backup
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderEnvFile } from './envFile';
import { seedSampleApp } from './sampleApp';
import { StandIn } from './StandIn';
import { CONNECTION_FILE_ENV, StandInClient } from './StandInClient';

/** Where the environment files go: the repository's `.standin/` (git ignores it). */
const ENV_DIR = join(__dirname, '..', '..', '.standin');

async function main(): Promise<void> {
  const standIn = new StandIn({ recoveryCluster: true });
  const conn = await standIn.start();
  const file = join(tmpdir(), 'eks-standin-connection.json');
  standIn.writeConnectionFile(file);
  const stop = async () => {
    rmSync(ENV_DIR, { recursive: true, force: true });
    await standIn.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  const envFiles = await writeEnvFiles(new StandInClient(conn));
  console.log(`API server:   ${conn.apiServerUrl}  (${conn.clusterName}, ${conn.region}, account ${conn.account}, Kubernetes ${conn.kubernetesVersion})`);
  console.log(`EKS + webhook ${conn.controlUrl}`);
  if (conn.recovery) {
    const r = conn.recovery;
    console.log(`recovery:     ${r.apiServerUrl}  (${r.clusterName}, ${r.region}, account ${r.account}), EKS + webhook ${r.controlUrl}`);
    console.log(`              role ${r.delegateRoleName ?? '-'} is mapped to system:masters there`);
  }
  console.log(`S3/STS (moto) ${conn.motoUrl}  bucket ${conn.bucket}`);
  console.log(`logs:         ${standIn.logDir}`);
  console.log(`connection:   export ${CONNECTION_FILE_ENV}=${file}`);
  console.log('');
  console.log('In a second terminal, as the delegate of each cluster (sample app seeded in namespace shop):');
  console.log(`  source ${envFiles.primary} && npx eks-delegate backup && npx eks-delegate list`);
  console.log(`  source ${envFiles.recovery} && npx eks-delegate restore --dry-run --source-cluster ${conn.clusterName} --source-region ${conn.region}`);
  console.log('Ctrl-C stops everything (and removes the environment files: their credentials die with the stand-in).');
}

/**
 * Seeds the sample app, maps a delegate role to system:masters in the primary cluster (the recovery
 * cluster maps its own at start) and writes one sourceable environment file per cluster.
 */
async function writeEnvFiles(primary: StandInClient): Promise<{ primary: string; recovery: string }> {
  await seedSampleApp(primary, 'shop');
  const creds = await primary.issueRoleCredentials('eks-delegate-standin', 'delegate');
  await primary.setAwsAuth([{ rolearn: creds.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
  const recovery = primary.recovery();
  const recoveryCreds = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName ?? 'eks-delegate-standin', 'delegate');

  mkdirSync(ENV_DIR, { recursive: true, mode: 0o700 });
  const paths = { primary: join(ENV_DIR, 'primary.env'), recovery: join(ENV_DIR, 'recovery.env') };
  const common = { RECOVERY_PREFIX: 'eks/', POWERTOOLS_LOG_LEVEL: 'WARN', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  writeFileSync(paths.primary, renderEnvFile(
    `The stand-in's primary cluster ${primary.conn.clusterName} (${primary.conn.region}, account ${primary.conn.account}),\nas the delegate role ${creds.roleArn}. Valid while \`npm run standin\` runs.`,
    primary.delegateEnv(creds, common),
  ), { mode: 0o600 });
  writeFileSync(paths.recovery, renderEnvFile(
    `The stand-in's recovery cluster ${recovery.conn.clusterName} (${recovery.conn.region}, account ${recovery.conn.account}),\nas the delegate role ${recoveryCreds.roleArn}; the primary's recovery points are in bucket ${primary.conn.bucket}.`,
    recovery.delegateEnv(recoveryCreds, common),
  ), { mode: 0o600 });
  return { primary: '.standin/primary.env', recovery: '.standin/recovery.env' };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
