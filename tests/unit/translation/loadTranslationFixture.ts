import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFixture, type FixtureName } from '../dependencies/loadFixture';

/** Names of the JSON manifests under this folder's fixtures/. */
export type TranslationFixtureName = 'deployment-orders' | 'secret-aws';

/** Loads a fixture of this folder, or (by its name) one of tests/unit/dependencies/fixtures. */
export function load(name: TranslationFixtureName | FixtureName): Record<string, unknown> {
  if (name !== 'deployment-orders' && name !== 'secret-aws') return loadFixture(name);
  const parsed: unknown = JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`fixture ${name} is not an object`);
  return parsed as Record<string, unknown>;
}
