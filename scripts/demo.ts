// `npm run demo`: the main job end to end on the local stand-in. Starts the stand-in (provisioning it the
// first time), seeds a small sample application, invokes the BUNDLED handler with events/backup.json in a
// fresh process (as `sam local invoke -e events/backup.json` would), prints the response, the manifest's
// summary and the archive's table of contents, then stops everything.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseManifest, readArchiveEntries } from '../lib/recovery-point';
import { seedSampleApp } from '../tests/standin/sampleApp';
import { StandIn } from '../tests/standin/StandIn';
import { StandInClient } from '../tests/standin/StandInClient';

const root = join(__dirname, '..');

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  say('== starting the local EKS stand-in (kube-apiserver + etcd + token webhook + moto S3/STS)');
  const standIn = new StandIn({ clusterName: 'demo' });
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
  } finally {
    say('== stopping the stand-in');
    await standIn.stop();
  }
}

function invoke(eventFile: string, env: Record<string, string>): Promise<Record<string, unknown>> {
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
