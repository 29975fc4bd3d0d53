import packageJson from '../../package.json';
import { parseManifest } from '../../lib/recovery-point';
import { StandInClient, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes } from './archive';
import { CLI, delegateNode, run, unique } from './helpers';
import { mapRestoreDelegates } from './restoreDelegates';
import { runInTerminal } from './terminal';

// The CLI in a real terminal (issue 27): stdout and stderr are TTYs, so the progress line is drawn while
// the handler's log lines are printed, and the result comes last. What the screen shows at the end must be
// the whole result, intact: the progress line once saved the cursor and, jumping back, overprinted it.
const primary = StandInClient.fromEnv();
const recovery = primary.recovery();
const s3 = primary.s3();
const bucket = primary.conn.bucket;
const prefix = `cli-terminal/${unique('run')}/`;
const ns = unique('cli-tty');
const group = `${ns}.terminal.example.com`;
const CONFIGMAPS = 12;
let sourceCreds: RoleCredentials;
let recoveryCreds: RoleCredentials;

interface ReportSummary {
  created: number; updated: number; failed: number; recoveryPointId: string;
  skipped: { exists: number; notRestorable: number; owned: number; excluded: number };
}

const cli = (args: string[], env: Record<string, string>) => runInTerminal([delegateNode(), CLI, ...args], env, { timeoutMs: 90_000 });

/** The last top-level JSON document on the screen, which must run to its end (the result is printed last). */
function lastJsonDocument(screen: string): Record<string, unknown> {
  const lines = screen.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i] !== '{') continue;
    try {
      return JSON.parse(lines.slice(i).join('\n')) as Record<string, unknown>;
    } catch {
      // A pretty-printed log line's opening brace: the result starts later, or the screen is broken.
    }
  }
  throw new Error(`no whole JSON document ends the screen:\n${screen}`);
}

beforeAll(async () => {
  ({ sourceCreds, recoveryCreds } = await mapRestoreDelegates(primary, recovery, unique('cli-tty-source')));
  await primary.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await Promise.all(Array.from({ length: CONFIGMAPS }, (_, i) => primary.apply(`/api/v1/namespaces/${ns}/configmaps`, {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `settings-${i}`, namespace: ns }, data: { i: String(i) },
  })));
  // A custom resource whose CRD the backup leaves out: the recovery cluster cannot take it, one failure.
  await primary.apply('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `strays.${group}` },
    spec: { group, scope: 'Namespaced', names: { plural: 'strays', singular: 'stray', kind: 'Stray', listKind: 'StrayList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
  });
  for (let i = 0; i < 50; i++) {
    const put = await primary.kube('POST', `/apis/${group}/v1/namespaces/${ns}/strays`, { apiVersion: `${group}/v1`, kind: 'Stray', metadata: { name: 'lost' } });
    if (put.status === 201) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(() => {
  s3.destroy();
});

describe('the CLI in a real terminal (tmux)', () => {
  let recoveryPointId = '';
  let restoreId = '';

  it('backup -o json -v: INFO logs and the progress line come and go on stderr, and the whole JSON result ends the screen', async () => {
    const { screen, code } = await cli([
      // Only what this test made: other tests leave cluster-scoped objects in the shared stand-in.
      'backup', '-o', 'json', '-v', '--include-namespaces', ns, '--include-resources', `namespaces,configmaps,strays.${group}`,
    ], primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix }));
    expect(code).toBe(0);
    // -v: the handler's INFO logs were on the screen too.
    expect(screen).toContain('"level": "INFO"');
    const result = lastJsonDocument(screen);
    expect(result).toMatchObject({ action: 'backup', status: 'COMPLETED' });
    recoveryPointId = String(result.recoveryPointId);
    const manifest = parseManifest(await getObjectBytes(s3, bucket, `${prefix}${primary.conn.clusterName}/${recoveryPointId}/manifest.json`));
    expect({ objects: result.objects, bytes: result.bytes }).toEqual({ objects: manifest.archive.objects, bytes: manifest.archive.bytes });
    // The namespace, its ConfigMaps and the stray.
    expect(result.objects).toBe(CONFIGMAPS + 2);
    // No progress line is left behind.
    expect(screen).not.toMatch(/backup: \d+\/\d+ types/);
  });

  it('restore with a failure: WARN logs meanwhile, then the whole table, exit code 2', async () => {
    // By id: the backup above is filtered (one namespace), so it is never `latest` (docs/scope.md).
    const { screen, code } = await cli([
      'restore', recoveryPointId, '--source-cluster', primary.conn.clusterName, '--source-region', primary.conn.region, '--translate', 'off',
      '--include-namespaces', ns,
    ], recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix }));
    expect(code).toBe(2);
    // The failure was logged at WARN while the restore ran; without -v nothing below WARN is.
    expect(screen).toContain('"message": "object not restored"');
    expect(screen).not.toContain('"level": "INFO"');
    expect(screen).not.toMatch(/restore: [a-z.]*, \d+ objects/);

    const header = `PARTIAL: ${primary.conn.clusterName}/${recoveryPointId} into ${recovery.conn.clusterName}`;
    const result = screen.slice(screen.lastIndexOf(`\n${header}\n`) + 1).split('\n');
    const reportUrl = result.at(-1) ?? '';
    expect(reportUrl).toMatch(new RegExp(`^Report: s3://${bucket}/${prefix}${primary.conn.clusterName}/${recoveryPointId}/restores/[^/]+\\.json$`));
    const report = JSON.parse((await getObjectBytes(s3, bucket, reportUrl.replace(`Report: s3://${bucket}/`, ''))).toString('utf8')) as ReportSummary;
    const row = (label: string, n: number) => expect.stringMatching(new RegExp(`^${label.replace(/[()]/g, '\\$&')}\\s+${n}$`));
    expect(result).toEqual([
      header,
      expect.stringMatching(/^OUTCOME\s+OBJECTS$/),
      row('created', report.created),
      row('updated', 0),
      row('exist already', report.skipped.exists),
      row('never restored', report.skipped.notRestorable),
      row('owned (recreated)', report.skipped.owned),
      row('excluded', report.skipped.excluded),
      row('failed', 1),
      'Translated: 0 ARN(s), 0 image(s), 0 identifier(s).',
      'Failed:',
      expect.stringMatching(new RegExp(`^  strays\\.${group.replace(/\./g, '\\.')} ${ns}/lost 404: `)),
      expect.stringMatching(/^Warning: the recovery cluster does not serve /),
      reportUrl,
    ]);
    expect(report.created).toBe(CONFIGMAPS + 1);
    restoreId = reportUrl.replace(/^.*\/restores\/(.+)\.json$/, '$1');
    const restored = (await recovery.kube('GET', `/api/v1/namespaces/${ns}/configmaps`)).json<{ items: unknown[] }>().items;
    expect(restored).toHaveLength(CONFIGMAPS);
  });

  it('restore list and restore describe read that restore back from its report in S3', async () => {
    const env = primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix });
    const cliRun = (...args: string[]) => run(delegateNode(), [CLI, ...args], env);

    const list = await cliRun('restore', 'list', '-o', 'json');
    // stderr may hold the AWS SDK's Node version notice on Node 20: the result is on stdout alone.
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { restores: unknown[] }).restores).toEqual([expect.objectContaining({
      restoreId, status: 'PARTIAL', dryRun: false, recoveryPointId, sourceCluster: primary.conn.clusterName, targetCluster: recovery.conn.clusterName,
      created: CONFIGMAPS + 1, failed: 1,
    })]);
    const table = await cliRun('restore', 'list');
    expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`^${restoreId}\\s+PARTIAL\\s+.*${primary.conn.clusterName}/${recoveryPointId}\\s+${recovery.conn.clusterName}\\s+${CONFIGMAPS + 1}\\s+1$`));

    const described = await cliRun('restore', 'describe', restoreId, '--details');
    expect(described.code).toBe(0);
    const lines = described.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `Restore         ${restoreId}`, 'Status          PARTIAL', `From            ${primary.conn.clusterName}/${recoveryPointId}`, `Into            ${recovery.conn.clusterName}`,
    ]);
    expect(described.stdout).toContain(`Failed:\n  strays.${group} ${ns}/lost 404: `);
    const created = lines.slice(lines.indexOf('Created:') + 1).filter((l) => l.startsWith('  '));
    expect(created).toHaveLength(CONFIGMAPS + 1);

    const unknown = await cliRun('restore', 'describe', '20990101T000000Z-0000');
    expect({ code: unknown.code, stdout: unknown.stdout }).toEqual({ code: 3, stdout: '' });
    expect(unknown.stderr).toMatch(/^FAILED: no restore report 20990101T000000Z-0000 under s3:\/\//m);
  });

  it('one exit code per kind of failure, the message on stderr, and the hint a restore needs', async () => {
    const quiet = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const source = { ...primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix }), ...quiet };
    const target = { ...recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix }), ...quiet };
    const cliRun = (env: Record<string, string>, ...args: string[]) => run(delegateNode(), [CLI, ...args], env);

    expect(await cliRun(source, '--version')).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });

    const wrongCluster = await cliRun(source, 'backup', '--cluster-name', 'no-such-cluster');
    expect({ code: wrongCluster.code, stdout: wrongCluster.stdout }).toEqual({ code: 4, stdout: '' });
    expect(wrongCluster.stderr).toMatch(/^FAILED: cluster no-such-cluster not found in /m);

    // The recovery cluster's own name has no recovery point: the restore says to name the source cluster.
    const noSource = await cliRun(target, 'restore', '--dry-run');
    expect({ code: noSource.code, stdout: noSource.stdout }).toEqual({ code: 3, stdout: '' });
    expect(noSource.stderr).toContain(`hint: the recovery point was looked up under cluster ${recovery.conn.clusterName} (--cluster-name, the cluster restored into); name the cluster it was backed up from with --source-cluster <name>`);

    const badFlag = await cliRun(target, 'restore', '--identifier-map', 'vol-0123:vol-0fed');
    expect({ code: badFlag.code, stdout: badFlag.stdout }).toEqual({ code: 64, stdout: '' });
    expect(badFlag.stderr).toContain('eks-delegate restore: --identifier-map entry "vol-0123:vol-0fed" has no "="');
  });
});
