// `npm run standin`: starts the local EKS stand-in and keeps it running until Ctrl-C, printing how to
// reach it (and writing the connection file that tests and scripts read). Starts the recovery cluster too.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { StandIn } from './StandIn';
import { CONNECTION_FILE_ENV } from './StandInClient';

async function main(): Promise<void> {
  const standIn = new StandIn({ recoveryCluster: true });
  const conn = await standIn.start();
  const file = join(tmpdir(), 'eks-standin-connection.json');
  standIn.writeConnectionFile(file);
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
  console.log('Ctrl-C stops everything.');
  const stop = async () => {
    await standIn.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
