import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StandIn } from './StandIn';
import { CONNECTION_FILE_ENV } from './StandInClient';

// Provisions (first run: several minutes, printed as it goes) and starts the local EKS stand-in once for
// all integration tests, with its recovery cluster (the restore tests' target); workers find both through
// the connection file named in the environment.
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const standIn = new StandIn({ recoveryCluster: true });
  await standIn.start();
  const file = join(mkdtempSync(join(tmpdir(), 'eks-standin-conn-')), 'connection.json');
  standIn.writeConnectionFile(file);
  process.env[CONNECTION_FILE_ENV] = file;
  (globalThis as { __EKS_STANDIN__?: StandIn }).__EKS_STANDIN__ = standIn;
}
