// The pure half of the dependency audit (scripts/audit.ts): what the lockfile holds, which advisories
// match it, and whether the registry vouches for each package. No network here, so it is unit-tested.
import { createPublicKey, verify } from 'node:crypto';
import semver from 'semver';

/** One installed package of the lockfile. */
export interface LockedPackage {
  name: string;
  version: string;
  /** Where npm downloads it from; absent when the lockfile leaves the registry implicit. */
  resolved: string | undefined;
  /** The SRI hash npm checks the tarball against. */
  integrity: string | undefined;
  /** Its path in node_modules (a package can be installed at several versions). */
  path: string;
}

/** An advisory as the registry's bulk advisory endpoint answers it, trimmed to what the check needs. */
export interface Advisory {
  id: string;
  /** The package it is about. */
  name: string;
  title: string;
  url: string;
  severity: 'low' | 'moderate' | 'high' | 'critical';
  /** A semver range, e.g. `<2.5.4 || >=3.0.0 <3.0.4`. */
  vulnerable_versions: string;
}

/** The advisory list the project keeps (audit/advisories.json). */
export interface AdvisoryFile {
  /** When and how it was last refreshed. */
  refreshedAt: string;
  source: string;
  advisories: Advisory[];
}

export interface Finding {
  pkg: LockedPackage;
  advisory: Advisory;
}

interface LockfileEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
  name?: string;
}

/** Production packages of a lockfile v2/v3 (`packages` map); dev-only and linked ones are left out. */
export function productionPackages(lockfile: { packages?: Record<string, LockfileEntry> }): LockedPackage[] {
  const out: LockedPackage[] = [];
  for (const [path, entry] of Object.entries(lockfile.packages ?? {})) {
    if (path === '' || entry.dev === true || entry.link === true || !entry.version) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    out.push({ name, version: entry.version, resolved: entry.resolved, integrity: entry.integrity, path });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Every (package, advisory) pair where the installed version is in the advisory's vulnerable range. */
export function matchAdvisories(packages: LockedPackage[], advisories: Advisory[]): Finding[] {
  const byName = new Map<string, Advisory[]>();
  for (const a of advisories) byName.set(a.name, [...(byName.get(a.name) ?? []), a]);
  const findings: Finding[] = [];
  for (const pkg of packages) {
    for (const advisory of byName.get(pkg.name) ?? []) {
      if (semver.satisfies(pkg.version, advisory.vulnerable_versions, { includePrerelease: true })) findings.push({ pkg, advisory });
    }
  }
  return findings;
}

/** The bulk endpoint's answer (`{ name: [advisory...] }`) as a flat list. */
export function flattenBulkAnswer(answer: Record<string, Array<Omit<Advisory, 'name' | 'id'> & { id: number | string }>>): Advisory[] {
  return Object.entries(answer).flatMap(([name, list]) =>
    list.map((a) => ({ id: String(a.id), name, title: a.title, url: a.url, severity: a.severity, vulnerable_versions: a.vulnerable_versions })));
}

/** The bulk endpoint's request body: every production package name with its installed versions. */
export function bulkRequest(packages: LockedPackage[]): Record<string, string[]> {
  const body: Record<string, string[]> = {};
  for (const p of packages) body[p.name] = [...new Set([...(body[p.name] ?? []), p.version])];
  return body;
}

/** A registry public key (https://registry.npmjs.org/-/npm/v1/keys). */
export interface RegistryKey {
  keyid: string;
  /** Base64 SPKI DER of an ECDSA P-256 key. */
  key: string;
  expires: string | null;
}

/** What the registry says about one package version (its `dist` and `deprecated`). */
export interface RegistryVersion {
  dist?: { integrity?: string; signatures?: Array<{ keyid: string; sig: string }> };
  deprecated?: string;
}

export type RegistryVerdict =
  | { kind: 'ok'; signed: boolean }
  | { kind: 'problem'; problem: string };

/**
 * Checks one package against the registry: it comes from the registry (not a git or tarball URL), its
 * lockfile integrity is the registry's, and, when the registry serves ECDSA signatures, one of them is
 * valid for `<name>@<version>:<integrity>` under a pinned registry key (what `npm audit signatures`
 * checks for registry signatures, without its sigstore step).
 */
export function checkAgainstRegistry(pkg: LockedPackage, registry: RegistryVersion, registryHost: string, keys: RegistryKey[]): RegistryVerdict {
  // No `resolved` means the configured registry (npm's omit-lockfile-registry-resolved).
  if (pkg.resolved !== undefined && !pkg.resolved.startsWith(`https://${registryHost}/`)) {
    return { kind: 'problem', problem: `resolved from ${pkg.resolved}, not from ${registryHost}` };
  }
  const integrity = registry.dist?.integrity;
  if (!pkg.integrity || integrity !== pkg.integrity) {
    return { kind: 'problem', problem: `lockfile integrity ${pkg.integrity ?? '(none)'} differs from the registry's ${integrity ?? '(none)'}` };
  }
  const signatures = registry.dist?.signatures ?? [];
  if (signatures.length === 0) return { kind: 'ok', signed: false };
  const message = Buffer.from(`${pkg.name}@${pkg.version}:${integrity}`);
  for (const s of signatures) {
    const key = keys.find((k) => k.keyid === s.keyid);
    if (!key) continue;
    const publicKey = createPublicKey({ key: Buffer.from(key.key, 'base64'), format: 'der', type: 'spki' });
    if (verify('sha256', message, publicKey, Buffer.from(s.sig, 'base64'))) return { kind: 'ok', signed: true };
  }
  return { kind: 'problem', problem: `no registry signature verifies under a known key (keyids ${signatures.map((s) => s.keyid).join(', ')})` };
}

/** Days between an ISO date and now, rounded down. */
export function ageInDays(iso: string, now: Date): number {
  return Math.floor((now.getTime() - new Date(iso).getTime()) / 86_400_000);
}
