import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliInputError } from '../../../handlers/cli/errors';
import { identifierMap, namespaceMapping, readEventFile } from '../../../handlers/cli/input';

describe('--namespace-mapping', () => {
  it('reads from=to, and Velero\'s from:to', () => {
    expect(namespaceMapping('shop=shop-dr, web:web-dr')).toEqual({ shop: 'shop-dr', web: 'web-dr' });
  });
  it('names the flag and the entry it cannot read', () => {
    expect(() => namespaceMapping('shop')).toThrow('--namespace-mapping entry "shop" is not from=to (or from:to), e.g. shop=shop-restored');
  });
});

describe('--identifier-map', () => {
  it('reads from=to, ARNs and all', () => {
    expect(identifierMap('arn:aws:acm:us-east-1:111122223333:certificate/abc=arn:aws:acm:us-west-2:444455556666:certificate/def,vol-1=vol-2'))
      .toEqual({ 'arn:aws:acm:us-east-1:111122223333:certificate/abc': 'arn:aws:acm:us-west-2:444455556666:certificate/def', 'vol-1': 'vol-2' });
  });
  it('refuses Velero\'s src:dst and says why and what to write', () => {
    expect(() => identifierMap('vol-0123:vol-0fed')).toThrow(CliInputError);
    expect(() => identifierMap('vol-0123:vol-0fed')).toThrow(/--identifier-map entry "vol-0123:vol-0fed" has no "=": write from=to.*ARNs contain ":"/);
  });
  it('refuses an entry with an empty side', () => {
    expect(() => identifierMap('vol-1=')).toThrow('--identifier-map entry "vol-1=" is not from=to');
  });
});

describe('--event file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-event-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  it('reads one JSON object', () => {
    expect(readEventFile(file('ok.json', '{"action":"backup"}'))).toEqual({ action: 'backup' });
  });
  it.each<[string, string | undefined, RegExp]>([
    ['a missing file', undefined, /^--event .*missing\.json: cannot read it \(no such file\); give the path of an event JSON file/],
    ['malformed JSON', '{"action": "backup",', /^--event .*bad\.json is not valid JSON \(.+\); fix the file, or start from events\/backup\.json$/],
    ['an array', '[]', /^--event .*array\.json must hold one JSON object with an "action".*not an array$/],
  ])('names the file and the fix: %s', (what, text, message) => {
    const path = text === undefined ? join(dir, 'missing.json') : file(what === 'an array' ? 'array.json' : 'bad.json', text);
    expect(() => readEventFile(path)).toThrow(message);
  });
});
