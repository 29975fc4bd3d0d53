import { decideBackupStatus } from '../../../lib/backup/decideStatus';
import type { ResourceOutcome } from '../../../lib/backup/types';

const row = (name: string, status: ResourceOutcome['status'], count = 1): ResourceOutcome => ({
  name, group: '', version: 'v1', resource: name, kind: name, namespaced: true, count, status,
});

describe('decideBackupStatus', () => {
  it('is COMPLETED when every attempted type was read, whatever was excluded or gone', () => {
    expect(decideBackupStatus([row('configmaps', 'ok'), row('events', 'excluded', 0), row('widgets', 'gone', 0)], false)).toBe('COMPLETED');
  });

  it('is PARTIAL when some type was forbidden or failed but others were read', () => {
    expect(decideBackupStatus([row('configmaps', 'ok'), row('secrets', 'forbidden', 0)], false)).toBe('PARTIAL');
    expect(decideBackupStatus([row('configmaps', 'ok'), row('widgets', 'failed', 0)], false)).toBe('PARTIAL');
  });

  it('is FAILED when nothing attempted could be read', () => {
    expect(decideBackupStatus([row('secrets', 'forbidden', 0), row('widgets', 'failed', 0), row('events', 'excluded', 0)], false)).toBe('FAILED');
  });

  it('is FAILED after a fatal error, whatever was read before it', () => {
    expect(decideBackupStatus([row('configmaps', 'ok')], true)).toBe('FAILED');
  });
});
