import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { StandInClient, type RoleCredentials } from '../standin/StandInClient';
import { invokeBundle, REPO_ROOT, unique } from './helpers';

// Every sample event is invoked against the bundled handler, as `sam local invoke -e events/<x>.json` would,
// with the function's environment pointing at the stand-in.
const standIn = StandInClient.fromEnv();
const eventsDir = join(REPO_ROOT, 'events');
const files = readdirSync(eventsDir).filter((f) => f.endsWith('.json')).sort();
let creds: RoleCredentials;
// One prefix for the whole run, so the restore events find the recovery point backup.json made.
const prefix = `events/${unique('run')}/`;

beforeAll(async () => {
  creds = await standIn.issueRoleCredentials(unique('events-delegate'));
  await standIn.setAwsAuth([{ rolearn: creds.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
});
afterAll(() => standIn.setAwsAuth([]));

it('covers the actions the handler serves', () => {
  expect(files).toEqual(expect.arrayContaining(['backup.json', 'scheduled-event.json', 'preflight.json', 'restore.json', 'restore-dry-run.json']));
  // The restore events read the recovery point backup.json writes: it must run first.
  expect(files.indexOf('backup.json')).toBeLessThan(files.indexOf('restore-dry-run.json'));
});

describe.each(files)('events/%s', (file) => {
  it('is answered by the bundled handler without an invalid-input failure', async () => {
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
      default:
        throw new Error(`unexpected action ${String(response.action)}`);
    }
  });
});
