import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StandInClient, type RoleCredentials } from '../standin/StandInClient';
import { invokeBundle, REPO_ROOT, unique } from './helpers';

// Every sample event is invoked against the bundled handler, as `sam local invoke -e events/<x>.json` would,
// with the function's environment pointing at the stand-in.
const standIn = StandInClient.fromEnv();
const eventsDir = join(REPO_ROOT, 'events');
const files = readdirSync(eventsDir).filter((f) => f.endsWith('.json')).sort();
let creds: RoleCredentials;
/** The catalog and restore events read recovery points: two backups are made under this prefix first. */
const catalogPrefix = `events/${unique('catalog')}/`;
const READS_RECOVERY_POINTS = ['list-recovery-points', 'describe-recovery-point', 'verify-recovery-point', 'diff-recovery-points', 'restore', 'readiness', 'drift'];

beforeAll(async () => {
  creds = await standIn.issueRoleCredentials(unique('events-delegate'));
  await standIn.setAwsAuth([{ rolearn: creds.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
  for (let i = 0; i < 2; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 1100)); // ids carry the second they started
    const { response } = await invokeBundle<Record<string, unknown>>(join(eventsDir, 'backup.json'), standIn.delegateEnv(creds, { RECOVERY_PREFIX: catalogPrefix }));
    if (response.status !== 'COMPLETED') throw new Error(`backup for the catalog events: ${JSON.stringify(response)}`);
  }
}, 120_000);
afterAll(() => standIn.setAwsAuth([]));

it('covers the actions the handler serves', () => {
  expect(files).toEqual(expect.arrayContaining(['backup.json', 'scheduled-event.json', 'preflight.json', 'restore.json', 'restore-dry-run.json']));
});

describe.each(files)('events/%s', (file) => {
  it('is answered by the bundled handler without an invalid-input failure', async () => {
    const action = (JSON.parse(readFileSync(join(eventsDir, file), 'utf8')) as { action?: string }).action ?? '';
    const prefix = READS_RECOVERY_POINTS.includes(action) ? catalogPrefix : `events/${unique('run')}/`;
    const { response, code } = await invokeBundle<Record<string, unknown>>(join(eventsDir, file), standIn.delegateEnv(creds, { RECOVERY_PREFIX: prefix }));
    expect(code).toBe(0);
    expect(response.reason).not.toBe('invalid-input');
    switch (response.action) {
      case 'backup':
        expect(response).toMatchObject({ status: 'COMPLETED', clusterName: standIn.conn.clusterName });
        break;
      case 'check-access':
        expect(response).toMatchObject({ status: 'ACCESS_OK' });
        break;
      case 'preflight': {
        // The emulators speak plain http, so only the cluster endpoint (real TLS) can pass here.
        const targets = response.targets as Array<{ id: string; reachable: boolean }>;
        expect(targets.find((t) => t.id === 'cluster')).toMatchObject({ reachable: true });
        expect(response.durationMs).toBeLessThan(10_000);
        break;
      }
      case 'restore':
        // Into the cluster the recovery point came from, whose objects all exist: skipped, nothing failed.
        expect(response).toMatchObject({ status: 'COMPLETED', dryRun: file.includes('dry-run'), failed: 0, created: 0 });
        expect((response.skipped as { exists: number }).exists).toBeGreaterThan(0);
        break;
      case 'resume-gitops':
        // Nothing was restored held in this cluster: nothing to release, nothing failed.
        expect(response).toMatchObject({ status: 'COMPLETED', dryRun: false, failed: 0 });
        break;
      case 'list-recovery-points':
        expect(response).toMatchObject({ status: 'OK', recoveryPoints: [expect.anything(), expect.anything()], incomplete: [] });
        break;
      case 'describe-recovery-point':
        expect(response).toMatchObject({ status: 'COMPLETED', resourceStatuses: { ok: expect.any(Number) } });
        break;
      case 'verify-recovery-point':
        expect(response).toMatchObject({ status: 'VALID', problems: [] });
        break;
      case 'diff-recovery-points':
        expect(response).toMatchObject({ status: 'OK', counts: expect.any(Object) });
        break;
      case 'list-restores':
        expect(response).toMatchObject({ status: 'OK', sourceCluster: standIn.conn.clusterName, restores: expect.any(Array) });
        break;
      case 'describe-restore':
        // The sample names a restore that was never made here: accepted, and said to be not found.
        expect(response).toMatchObject({ status: 'FAILED', reason: 'not-found', notFound: 'restore', error: expect.stringMatching(/^no restore report 20261123T210000Z-1c2d under s3:\/\//) });
        break;
      case 'readiness':
        // Into the cluster the recovery point came from: a verdict with its reasons, and the reports written.
        expect(response).toMatchObject({ status: expect.stringMatching(/^(READY|AT_RISK|NOT_READY)$/), rpo: { met: true }, dryRun: { created: 0 } });
        expect(response.report).toMatch(/\/readiness\/.+\.json$/);
        break;
      case 'drift':
        expect(response).toMatchObject({ status: 'OK', counts: expect.any(Object) });
        break;
      default:
        throw new Error(`unexpected action ${String(response.action)}`);
    }
  });
});
