import {
  ArchiveEntryError,
  RecoveryPointPathError,
  archiveKey,
  manifestKey,
  newRecoveryPointId,
  objectEntryPath,
  parseEntryPath,
  recoveryPointFolder,
  validatePrefix,
  validateRecoveryPointId,
} from '../../../lib/recovery-point';

describe('recovery point layout', () => {
  describe('folder and keys', () => {
    it('puts a recovery point at <prefix><cluster>/<id>/ with the archive and the manifest inside', () => {
      const folder = recoveryPointFolder('eks/', 'prod', '20261123T200501Z-7f3a');
      expect(folder).toBe('eks/prod/20261123T200501Z-7f3a/');
      expect(archiveKey(folder)).toBe('eks/prod/20261123T200501Z-7f3a/resources.tar.gz');
      expect(manifestKey(folder)).toBe('eks/prod/20261123T200501Z-7f3a/manifest.json');
      expect(recoveryPointFolder('', 'prod', 'id1')).toBe('prod/id1/');
    });

    it('names every unsafe part at once', () => {
      let error: unknown;
      try {
        recoveryPointFolder('../x/', 'bad/name', '..');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecoveryPointPathError);
      const problems = (error as RecoveryPointPathError).problems.join('\n');
      expect(problems).toMatch(/prefix/);
      expect(problems).toMatch(/clusterName/);
      expect(problems).toMatch(/recoveryPointId/);
    });
  });

  describe('validatePrefix', () => {
    it.each(['', 'eks/', 'backups/eks/', 'a-b_c.d/'])('accepts %j', (prefix) => {
      expect(validatePrefix(prefix)).toEqual([]);
    });

    it.each([
      ['eks', "end with '/'"],
      ['/eks/', "start with '/'"],
      ['eks//x/', "'//'"],
      ['eks/../', "'..'"],
      ['../', "'..'"],
      ['./eks/', "'.'"],
      ['eks\\x/', 'backslash'],
      ['eks\u0000/', 'control'],
      ['eks\n/', 'control'],
    ])('rejects %j (%s)', (prefix, problem) => {
      const problems = validatePrefix(prefix);
      expect(problems.join('\n')).toContain(problem);
    });
  });

  describe('validateRecoveryPointId', () => {
    it.each(['20261123T200501Z-7f3a', 'a', 'A.b_c-1', 'x'.repeat(128)])('accepts %j', (id) => {
      expect(validateRecoveryPointId(id)).toEqual([]);
    });

    it.each(['', '.', '..', 'a/b', 'a b', 'x'.repeat(129), 'ü', 'a\\b'])('rejects %j', (id) => {
      expect(validateRecoveryPointId(id)).toHaveLength(1);
    });
  });

  describe('newRecoveryPointId', () => {
    it('is the UTC second plus four hex digits of randomness', () => {
      const id = newRecoveryPointId(new Date('2026-11-23T20:05:01.789Z'), () => Uint8Array.from([0x7f, 0x3a]));
      expect(id).toBe('20261123T200501Z-7f3a');
      expect(validateRecoveryPointId(id)).toEqual([]);
    });

    it('differs between two calls in the same second', () => {
      const now = new Date();
      const ids = new Set(Array.from({ length: 20 }, () => newRecoveryPointId(now)));
      expect(ids.size).toBeGreaterThan(1);
      for (const id of ids) expect(id).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    });
  });

  describe('objectEntryPath and parseEntryPath', () => {
    it.each([
      ['deployments.apps', 'default', 'web', 'resources/deployments.apps/namespaces/default/web.json'],
      ['namespaces', undefined, 'kube-system', 'resources/namespaces/cluster/kube-system.json'],
      ['clusterroles.rbac.authorization.k8s.io', undefined, 'system:aggregate-to-view', 'resources/clusterroles.rbac.authorization.k8s.io/cluster/system:aggregate-to-view.json'],
      ['configmaps', 'default', 'settings.json', 'resources/configmaps/namespaces/default/settings.json.json'],
    ])('maps %s %s/%s to %s and back', (resourceName, namespace, name, path) => {
      expect(objectEntryPath(resourceName, namespace, name)).toBe(path);
      expect(parseEntryPath(path)).toEqual({ kind: 'object', path, resourceName, namespace, name });
    });

    it('recognises metadata/version', () => {
      expect(parseEntryPath('metadata/version')).toEqual({ kind: 'metadata-version', path: 'metadata/version' });
    });

    it('reports safe paths outside the layout as other', () => {
      for (const path of ['resources/pods/v1-preferredversion/namespaces/a/b.json', 'metadata/other', 'resources/pods/cluster/x.yaml']) {
        expect(parseEntryPath(path)).toEqual({ kind: 'other', path });
      }
    });

    it.each([
      ['configmaps', 'default', '..'],
      ['configmaps', 'default', '.'],
      ['configmaps', 'default', ''],
      ['configmaps', 'default', 'a/b'],
      ['configmaps', 'default', 'a\\b'],
      ['configmaps', 'default', 'a\u0000b'],
      ['configmaps', '..', 'x'],
      ['configmaps', 'a/b', 'x'],
      ['configmaps', '', 'x'],
      ['../configmaps', 'default', 'x'],
      ['config/maps', 'default', 'x'],
      ['ConfigMaps', 'default', 'x'],
      ['pods..evil', 'default', 'x'],
      ['', 'default', 'x'],
    ])('refuses to build a path from %j %j %j', (resourceName, namespace, name) => {
      expect(() => objectEntryPath(resourceName, namespace, name)).toThrow(RecoveryPointPathError);
    });

    it.each([
      '../etc/passwd',
      'resources/../../etc/passwd',
      'resources/pods/namespaces/default/../../../../x.json',
      '/etc/passwd',
      '/resources/pods/cluster/x.json',
      'C:/windows/x.json',
      'resources\\pods\\cluster\\x.json',
      'resources/pods/cluster/..\\..\\x.json',
      'resources//pods/cluster/x.json',
      'resources/pods/cluster/',
      'resources/./pods/cluster/x.json',
      'resources/pods/cluster/x\u0000.json',
      '',
    ])('rejects the escaping or malformed entry %j', (path) => {
      expect(() => parseEntryPath(path)).toThrow(ArchiveEntryError);
    });
  });
});
