// Flags and files turned into the event an action reads. Each refusal names the flag or the file and the
// fix (CliInputError, exit code 64), before anything runs.
import { readFileSync } from 'node:fs';
import { CliInputError } from './errors';

/** `a,b` as `['a', 'b']`; absent stays absent. */
export function csv(v: unknown): string[] | undefined {
  return typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

/**
 * `--namespace-mapping`: `from=to,...`; Velero's `from:to` is accepted too (a namespace name holds no `:`).
 */
export function namespaceMapping(v: unknown): Record<string, string> | undefined {
  return pairs('--namespace-mapping', v, splitAtEqualsOrColon, 'from=to (or from:to), e.g. shop=shop-restored');
}

/** `--zone-map`: `from=to,...`; Velero's `from:to` too (a zone name holds no `:`). */
export function zoneMap(v: unknown): Record<string, string> | undefined {
  return pairs('--zone-map', v, splitAtEqualsOrColon, 'from=to (or from:to), e.g. us-east-1a=us-west-2a');
}

/** `--region-map`: `from=to,...`; Velero's `from:to` too (a region name holds no `:`). */
export function regionMap(v: unknown): Record<string, string> | undefined {
  return pairs('--region-map', v, splitAtEqualsOrColon, 'from=to (or from:to), e.g. us-east-1=us-west-2');
}

function splitAtEqualsOrColon(entry: string): [string, string] | undefined {
  const at = entry.search(/[=:]/);
  return at < 0 ? undefined : [entry.slice(0, at), entry.slice(at + 1)];
}

/**
 * `--identifier-map`: `from=to,...` only. Velero's `src:dst` is refused with the reason: the ids mapped
 * here are ARNs too, full of `:`, so a `:` cannot tell where one ends.
 */
export function identifierMap(v: unknown): Record<string, string> | undefined {
  return pairs('--identifier-map', v, (entry) => {
    const at = entry.indexOf('=');
    if (at >= 0) return [entry.slice(0, at), entry.slice(at + 1)];
    if (entry.includes(':')) {
      throw new CliInputError(`--identifier-map entry ${JSON.stringify(entry)} has no "=": write from=to, e.g. vol-0123456789abcdef0=vol-0fedcba9876543210 (Velero's src:dst form cannot be read here: ARNs contain ":")`);
    }
    return undefined;
  }, 'from=to, e.g. vol-0123456789abcdef0=vol-0fedcba9876543210');
}

function pairs(
  flag: string, v: unknown, split: (entry: string) => [string, string] | undefined, form: string,
): Record<string, string> | undefined {
  const list = csv(v);
  if (list === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const entry of list) {
    const pair = split(entry);
    const [from, to] = pair ? [pair[0].trim(), pair[1].trim()] : ['', ''];
    if (!from || !to) throw new CliInputError(`${flag} entry ${JSON.stringify(entry)} is not ${form}`);
    out[from] = to;
  }
  return out;
}

/** The event of `invoke --event <file>`: a JSON object, or an error naming the file and what is wrong. */
export function readEventFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new CliInputError(`--event ${file}: cannot read it (${why}); give the path of an event JSON file, e.g. events/backup.json`, { cause: err });
  }
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (err) {
    throw new CliInputError(`--event ${file} is not valid JSON (${(err as Error).message}); fix the file, or start from events/backup.json`, { cause: err });
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new CliInputError(`--event ${file} must hold one JSON object with an "action" (e.g. {"action": "backup"}), not ${Array.isArray(event) ? 'an array' : typeof event === 'object' ? 'null' : `a ${typeof event}`}`);
  }
  return event as Record<string, unknown>;
}
