import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestError, parseManifest, serializeManifest } from '../../../lib/recovery-point';

const fixture = readFileSync(join(__dirname, 'fixtures', 'manifest.json'), 'utf8');

function withChanges(change: (manifest: Record<string, unknown>) => void): string {
  const manifest = JSON.parse(fixture) as Record<string, unknown>;
  change(manifest);
  return JSON.stringify(manifest);
}

function problemsOf(json: string): string[] {
  try {
    parseManifest(json);
  } catch (error) {
    if (error instanceof ManifestError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('manifest', () => {
  it('parses a complete manifest and keeps fields it does not know', () => {
    const manifest = parseManifest(withChanges((m) => (m['futureField'] = { kept: true })));
    expect(manifest.recoveryPointId).toBe('20261123T200501Z-7f3a');
    expect(manifest.status).toBe('PARTIAL');
    expect(manifest.resources.find((row) => row.name === 'secrets')?.status).toBe('forbidden');
    expect(manifest.awsDependencies).toHaveLength(1);
    expect(JSON.parse(serializeManifest(manifest).toString('utf8'))).toMatchObject({ futureField: { kept: true } });
  });

  it('round-trips through serializeManifest as pretty JSON ending in a newline', () => {
    const manifest = parseManifest(fixture);
    const text = serializeManifest(manifest).toString('utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "formatVersion": "1.0.0"');
    expect(parseManifest(text)).toEqual(manifest);
  });

  it('writes exactly the bytes of JSON.stringify(manifest, null, 2) and a newline, whatever the shape', () => {
    const manifest: Record<string, unknown> = { ...parseManifest(fixture) };
    const shapes: Array<Record<string, unknown>> = [
      manifest,
      { ...manifest, warnings: [], resources: [], awsDependencies: [] },
      { ...manifest, skipped: undefined, nested: { a: [1, { b: 'multi\nline ✓ "q"' }], e: {} }, list: [null, 'x', { y: [] }, [1, [2]]] },
      // Several MB: written in more than one chunk, with multi-byte characters on every row.
      { ...manifest, awsDependencies: Array.from({ length: 20_000 }, (_, i) => ({ id: `dépendance-${i} ✓`, references: [{ path: `a.b[${i}]` }, {}] })) },
    ];
    for (const shape of shapes) {
      expect(serializeManifest(shape as never).toString('utf8')).toBe(`${JSON.stringify(shape, null, 2)}\n`);
    }
  });

  it('writes a lazy dependency list (iterable more than once) as the array it stands for', () => {
    const manifest = parseManifest(fixture);
    const rows = manifest.awsDependencies;
    let iterations = 0;
    const lazy = { [Symbol.iterator]: () => { iterations++; return rows[Symbol.iterator](); } };
    const text = serializeManifest({ ...manifest, awsDependencies: lazy }).toString('utf8');
    expect(text).toBe(`${JSON.stringify(manifest, null, 2)}\n`);
    expect(iterations).toBe(1); // written in one pass
    expect(serializeManifest({ ...manifest, awsDependencies: { [Symbol.iterator]: () => [][Symbol.iterator]() } }).toString('utf8'))
      .toBe(`${JSON.stringify({ ...manifest, awsDependencies: [] }, null, 2)}\n`);
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseManifest('{"formatVersion":')).toThrow(ManifestError);
    expect(() => parseManifest('[]')).toThrow(ManifestError);
  });

  it('names every missing essential at once', () => {
    const problems = problemsOf(
      withChanges((m) => {
        delete m['recoveryPointId'];
        delete m['archive'];
        (m['cluster'] as Record<string, unknown>)['arn'] = 7;
        m['completedAt'] = 'yesterday';
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'recoveryPointId must be a string',
        'archive must be an object',
        'cluster.arn must be a string',
        'completedAt must be an ISO 8601 time',
      ]),
    );
  });

  it('refuses a FAILED status: a failed run never has a manifest', () => {
    expect(problemsOf(withChanges((m) => (m['status'] = 'FAILED')))).toEqual(['status FAILED: a failed run has no manifest']);
  });

  it('refuses a manifest from an incompatible format major version', () => {
    expect(problemsOf(withChanges((m) => (m['formatVersion'] = '2.0.0')))[0]).toMatch(/formatVersion 2.0.0/);
    expect(problemsOf(withChanges((m) => (m['formatVersion'] = '1.4.0')))).toEqual([]);
  });

  it('reads a 1.1.0 manifest without a scope, and checks a scope when there is one', () => {
    expect(problemsOf(withChanges((m) => { m['formatVersion'] = '1.1.0'; delete m['scope']; }))).toEqual([]);
    expect(problemsOf(withChanges((m) => {
      m['scope'] = { wholeCluster: false, includeNamespaces: ['shop'], excludeNamespaces: [], includeResources: [], excludeResources: ['events'] };
    }))).toEqual([]);
    expect(problemsOf(withChanges((m) => { m['scope'] = { wholeCluster: 'yes', includeNamespaces: 'shop' }; }))).toEqual([
      'scope.wholeCluster must be a boolean',
      'scope.includeNamespaces must be an array of strings',
      'scope.excludeNamespaces must be an array of strings',
      'scope.includeResources must be an array of strings',
      'scope.excludeResources must be an array of strings',
    ]);
  });

  it('checks the archive digest and the resource rows', () => {
    const problems = problemsOf(
      withChanges((m) => {
        (m['archive'] as Record<string, unknown>)['sha256'] = 'ABC';
        (m['archive'] as Record<string, unknown>)['bytes'] = -1;
        m['resources'] = [{ name: 'pods', group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: 'yes', count: 1, status: 'weird' }];
      }),
    );
    expect(problems).toEqual([
      'archive.bytes must be a non-negative integer',
      'archive.sha256 must be 64 lowercase hex digits',
      'resources[0].namespaced must be a boolean',
      'resources[0].status must be one of ok, forbidden, failed, excluded, gone',
    ]);
  });
});
