import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ageInDays, bulkRequest, checkAgainstRegistry, flattenBulkAnswer, matchAdvisories, productionPackages,
  type AdvisoryFile, type LockedPackage, type RegistryKey,
} from '../../../scripts/dependencyAudit';

const lockfile = {
  packages: {
    '': { name: 'eks-delegate', version: '1.0.0' },
    'node_modules/tar-fs': { version: '3.0.8', integrity: 'sha512-A' },
    'node_modules/@scope/pkg': { version: '1.2.3', integrity: 'sha512-B', resolved: 'https://registry.npmjs.org/@scope/pkg/-/pkg-1.2.3.tgz' },
    'node_modules/a/node_modules/form-data': { version: '4.0.3', integrity: 'sha512-C' },
    'node_modules/jest': { version: '30.0.0', dev: true },
    'node_modules/local': { version: '0.0.1', link: true },
  },
};

describe('productionPackages', () => {
  it('lists installed production packages by name and path, without the root, dev-only or linked ones', () => {
    expect(productionPackages(lockfile).map((p) => `${p.name}@${p.version} ${p.path}`)).toEqual([
      '@scope/pkg@1.2.3 node_modules/@scope/pkg',
      'form-data@4.0.3 node_modules/a/node_modules/form-data',
      'tar-fs@3.0.8 node_modules/tar-fs',
    ]);
  });

  it('asks the bulk endpoint about each name once, with every installed version', () => {
    const pkgs: LockedPackage[] = [
      { name: 'ws', version: '8.1.0', path: 'a', resolved: undefined, integrity: undefined },
      { name: 'ws', version: '7.0.0', path: 'b', resolved: undefined, integrity: undefined },
      { name: 'ws', version: '8.1.0', path: 'c', resolved: undefined, integrity: undefined },
    ];
    expect(bulkRequest(pkgs)).toEqual({ ws: ['8.1.0', '7.0.0'] });
  });
});

describe('matchAdvisories against the advisory list the project keeps', () => {
  const file = JSON.parse(readFileSync(join(__dirname, '../../../audit/advisories.json'), 'utf8')) as AdvisoryFile;

  it('flags versions inside a vulnerable range and only those', () => {
    const found = matchAdvisories(productionPackages(lockfile), file.advisories).map((f) => `${f.pkg.name}@${f.pkg.version} ${f.advisory.id}`);
    expect(found.sort()).toEqual([
      'form-data@4.0.3 GHSA-fjxv-7rqg-78g4',
      'tar-fs@3.0.8 GHSA-8cj5-5rvv-wf4v',
      'tar-fs@3.0.8 GHSA-vj76-c3g6-qr5v',
    ]);
  });

  it('does not flag the fixed versions', () => {
    const fixed: LockedPackage[] = [
      { name: 'tar-fs', version: '3.1.1', path: 'x', resolved: undefined, integrity: undefined },
      { name: 'form-data', version: '4.0.4', path: 'y', resolved: undefined, integrity: undefined },
      { name: 'jsonpath-plus', version: '10.3.0', path: 'z', resolved: undefined, integrity: undefined },
    ];
    expect(matchAdvisories(fixed, file.advisories)).toEqual([]);
  });

  it('reads the bulk endpoint answer into the same list', () => {
    const list = flattenBulkAnswer({
      ws: [{ id: 1098392, title: 'DoS', url: 'https://github.com/advisories/GHSA-3h5v-q93c-6h6q', severity: 'high', vulnerable_versions: '>=8.0.0 <8.17.1' }],
    });
    expect(list).toEqual([{ id: '1098392', name: 'ws', title: 'DoS', url: 'https://github.com/advisories/GHSA-3h5v-q93c-6h6q', severity: 'high', vulnerable_versions: '>=8.0.0 <8.17.1' }]);
    const ws: LockedPackage = { name: 'ws', version: '8.17.0', path: 'w', resolved: undefined, integrity: undefined };
    expect(matchAdvisories([ws], list)).toHaveLength(1);
  });

  it('says how old the list is', () => {
    expect(ageInDays('2026-11-01T00:00:00.000Z', new Date('2026-11-30T12:00:00.000Z'))).toBe(29);
  });
});

describe('checkAgainstRegistry', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys: RegistryKey[] = [{ keyid: 'SHA256:test', key: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), expires: null }];
  const pkg: LockedPackage = { name: '@scope/pkg', version: '1.2.3', path: 'node_modules/@scope/pkg', resolved: undefined, integrity: 'sha512-B' };
  const sig = (message: string): string => sign('sha256', Buffer.from(message), privateKey).toString('base64');

  it('accepts a registry package whose integrity matches and whose signature verifies', () => {
    const verdict = checkAgainstRegistry(pkg, { dist: { integrity: 'sha512-B', signatures: [{ keyid: 'SHA256:test', sig: sig('@scope/pkg@1.2.3:sha512-B') }] } }, 'registry.npmjs.org', keys);
    expect(verdict).toEqual({ kind: 'ok', signed: true });
  });

  it('accepts an unsigned package when the registry serves no signatures, and says so', () => {
    expect(checkAgainstRegistry(pkg, { dist: { integrity: 'sha512-B' } }, 'registry.npmjs.org', keys)).toEqual({ kind: 'ok', signed: false });
  });

  it('refuses a lockfile integrity the registry does not have', () => {
    expect(checkAgainstRegistry(pkg, { dist: { integrity: 'sha512-OTHER' } }, 'registry.npmjs.org', keys))
      .toEqual({ kind: 'problem', problem: expect.stringMatching(/lockfile integrity sha512-B differs/) });
  });

  it('refuses a signature over another version, or under an unknown key', () => {
    const wrong = checkAgainstRegistry(pkg, { dist: { integrity: 'sha512-B', signatures: [{ keyid: 'SHA256:test', sig: sig('@scope/pkg@1.2.4:sha512-B') }] } }, 'registry.npmjs.org', keys);
    expect(wrong).toEqual({ kind: 'problem', problem: expect.stringMatching(/no registry signature verifies/) });
    const unknown = checkAgainstRegistry(pkg, { dist: { integrity: 'sha512-B', signatures: [{ keyid: 'SHA256:other', sig: sig('@scope/pkg@1.2.3:sha512-B') }] } }, 'registry.npmjs.org', keys);
    expect(unknown.kind).toBe('problem');
  });

  it('refuses a package resolved from anywhere but the registry', () => {
    const git = { ...pkg, resolved: 'https://evil.example.com/pkg-1.2.3.tgz' };
    expect(checkAgainstRegistry(git, { dist: { integrity: 'sha512-B' } }, 'registry.npmjs.org', keys))
      .toEqual({ kind: 'problem', problem: 'resolved from https://evil.example.com/pkg-1.2.3.tgz, not from registry.npmjs.org' });
  });

  it('the pinned npm registry keys parse as P-256 public keys', () => {
    const pinned = (JSON.parse(readFileSync(join(__dirname, '../../../audit/npm-registry-keys.json'), 'utf8')) as { keys: RegistryKey[] }).keys;
    expect(pinned.map((k) => k.keyid)).toContain('SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U');
    // A signature under one of them is checked without throwing (and, made by another key, fails).
    const verdict = checkAgainstRegistry(pkg, { dist: { integrity: 'sha512-B', signatures: pinned.map((k) => ({ keyid: k.keyid, sig: sig('x') })) } }, 'registry.npmjs.org', pinned);
    expect(verdict.kind).toBe('problem');
  });
});
