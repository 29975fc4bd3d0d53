// The production dependency audit CI runs (scripts/audit.sh). It does not depend on `npm audit`'s
// advisory endpoint, which some registries (and this project's CI) do not serve:
//   1. advisories: the registry's bulk advisory endpoint when it answers, else audit/advisories.json,
//      the list the project keeps (refreshed with `--refresh` wherever the endpoint answers);
//      any high or critical advisory matching a production package fails the audit;
//   2. the registry: every production package comes from the registry, its lockfile integrity is the
//      registry's, and its registry signature verifies under a pinned key when the registry serves one.
// Usage: tsx scripts/audit.ts [--refresh]   (AUDIT_REQUIRED=true: an unreachable registry fails too)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapWithConcurrency } from '../lib/concurrency/mapWithConcurrency';
import {
  ageInDays, bulkRequest, checkAgainstRegistry, flattenBulkAnswer, matchAdvisories, productionPackages,
  type Advisory, type AdvisoryFile, type LockedPackage, type RegistryKey, type RegistryVerdict, type RegistryVersion,
} from './dependencyAudit';

const ROOT = join(__dirname, '..');
const ADVISORY_FILE = join(ROOT, 'audit', 'advisories.json');
const KEYS_FILE = join(ROOT, 'audit', 'npm-registry-keys.json');
const REGISTRY = (process.env.npm_config_registry ?? 'https://registry.npmjs.org/').replace(/\/?$/, '/');
const STALE_AFTER_DAYS = 90;
const CONCURRENCY = 8;

async function fetchJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

async function liveAdvisories(packages: LockedPackage[]): Promise<{ advisories: Advisory[] } | { why: string }> {
  try {
    const { status, body } = await fetchJson(`${REGISTRY}-/npm/v1/security/advisories/bulk`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bulkRequest(packages)),
    });
    if (status !== 200 || typeof body !== 'object' || body === null) return { why: `HTTP ${status}` };
    return { advisories: flattenBulkAnswer(body as Parameters<typeof flattenBulkAnswer>[0]) };
  } catch (err) {
    return { why: err instanceof Error ? err.message : String(err) };
  }
}

async function main(): Promise<number> {
  const refresh = process.argv.includes('--refresh');
  const required = process.env.AUDIT_REQUIRED === 'true';
  const packages = productionPackages(JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Parameters<typeof productionPackages>[0]);
  let failed = false;
  console.log(`dependency audit: ${packages.length} production packages in package-lock.json, registry ${REGISTRY}`);

  // 1. Advisories.
  const live = await liveAdvisories(packages);
  let advisories: Advisory[];
  if ('advisories' in live) {
    advisories = live.advisories;
    console.log(`advisories: ${advisories.length} from the registry's bulk advisory endpoint (live)`);
    if (refresh) {
      const file: AdvisoryFile = { refreshedAt: new Date().toISOString(), source: `${REGISTRY}-/npm/v1/security/advisories/bulk`, advisories };
      writeFileSync(ADVISORY_FILE, `${JSON.stringify(file, null, 2)}\n`);
      console.log(`advisories: wrote ${ADVISORY_FILE}`);
    }
  } else {
    if (refresh) {
      console.log(`advisories: cannot refresh, the bulk advisory endpoint did not answer (${live.why})`);
      return 2;
    }
    const file = JSON.parse(readFileSync(ADVISORY_FILE, 'utf8')) as AdvisoryFile;
    advisories = file.advisories;
    const age = ageInDays(file.refreshedAt, new Date());
    console.log(`advisories: the bulk advisory endpoint did not answer (${live.why}); using audit/advisories.json (${advisories.length} advisories, refreshed ${file.refreshedAt.slice(0, 10)}, ${age} days ago)`);
    if (age > STALE_AFTER_DAYS) console.log(`advisories: WARNING the list is older than ${STALE_AFTER_DAYS} days: run \`npm run audit -- --refresh\` where the endpoint answers`);
  }
  for (const { pkg, advisory } of matchAdvisories(packages, advisories)) {
    const serious = advisory.severity === 'high' || advisory.severity === 'critical';
    failed ||= serious;
    console.log(`  ${advisory.severity.toUpperCase()} ${pkg.name}@${pkg.version} (${pkg.path}): ${advisory.title} ${advisory.url} (vulnerable ${advisory.vulnerable_versions})`);
  }

  // 2. The registry vouches for each package.
  const keys = (JSON.parse(readFileSync(KEYS_FILE, 'utf8')) as { keys: RegistryKey[] }).keys;
  const registryHost = new URL(REGISTRY).host;
  let unreachable = 0;
  let signed = 0;
  const deprecated: string[] = [];
  const results = await mapWithConcurrency(packages, CONCURRENCY, async (pkg): Promise<{ pkg: LockedPackage; verdict: RegistryVerdict | { kind: 'unreachable' } }> => {
    try {
      const { status, body } = await fetchJson(`${REGISTRY}${pkg.name.replace('/', '%2f')}/${pkg.version}`);
      if (status !== 200) return { pkg, verdict: { kind: 'problem', problem: `the registry answered HTTP ${status}` } };
      const version = body as RegistryVersion;
      if (version.deprecated) deprecated.push(`${pkg.name}@${pkg.version}: ${version.deprecated}`);
      return { pkg, verdict: checkAgainstRegistry(pkg, version, registryHost, keys) };
    } catch {
      return { pkg, verdict: { kind: 'unreachable' } };
    }
  });
  for (const { pkg, verdict } of results) {
    if (verdict.kind === 'unreachable') unreachable++;
    else if (verdict.kind === 'ok') signed += verdict.signed ? 1 : 0;
    else {
      failed = true;
      console.log(`  REGISTRY ${pkg.name}@${pkg.version} (${pkg.path}): ${verdict.problem}`);
    }
  }
  const checked = packages.length - unreachable;
  console.log(`registry: ${checked} of ${packages.length} packages checked (source and integrity); ${signed} with a verified registry signature${signed === 0 && checked > 0 ? ' (this registry serves no signatures, e.g. a mirror that strips them)' : ''}`);
  for (const d of deprecated) console.log(`  deprecated: ${d}`);
  if (unreachable > 0) {
    console.log(`registry: ${unreachable} packages could NOT be checked (registry unreachable): this is not a pass`);
    if (required) failed = true;
  }
  console.log(failed ? 'dependency audit FAILED' : 'dependency audit passed: no high or critical advisory, every package as the registry has it');
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(2);
});
