import { gzipSync } from 'node:zlib';
import { decodeHelmRelease, encodeHelmRelease, prepareForRestore, skipReason } from '../../../lib/restore';

// A release as Helm 3 stores it: the Secret's base64 of Helm's base64 of gzipped JSON.
const release = { name: 'web', namespace: 'shop', version: 2, info: { status: 'deployed' }, chart: { metadata: { name: 'web', version: '1.0.0' } }, config: { password: 'not-logged' } };
const helmData = (r: object) => Buffer.from(gzipSync(Buffer.from(JSON.stringify(r))).toString('base64')).toString('base64');
const secret = {
  apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1',
  metadata: { name: 'sh.helm.release.v1.web.v2', namespace: 'shop', labels: { owner: 'helm', name: 'web', status: 'deployed', version: '2' } },
  data: { release: helmData(release) },
};
const facts = { selectorServices: new Set<string>(), hasUid: () => false };

describe('Helm release Secrets', () => {
  it('decode and encode round-trip, gzipped or not', () => {
    expect(decodeHelmRelease(secret.data.release)).toEqual(release);
    expect(decodeHelmRelease(encodeHelmRelease(release))).toEqual(release);
    const plain = Buffer.from(Buffer.from(JSON.stringify(release)).toString('base64')).toString('base64');
    expect(decodeHelmRelease(plain)).toEqual(release);
  });

  it('are restored: neither a token nor owned', () => {
    expect(skipReason('secrets', secret, facts)).toBeUndefined();
  });

  it('keep their data and labels as they are without namespaceMapping', () => {
    expect(prepareForRestore('secrets', secret)).toEqual(secret);
  });

  it('with namespaceMapping: the release inside names the new namespace; name, version, status, labels and values unchanged', () => {
    const prepared = prepareForRestore('secrets', secret, { namespaceMapping: { shop: 'shop-dr' } });
    expect(prepared.metadata).toEqual({ ...secret.metadata, namespace: 'shop-dr' });
    expect(decodeHelmRelease((prepared.data as { release: string }).release)).toEqual({ ...release, namespace: 'shop-dr' });
  });

  it('leave a release that cannot be decoded as it is', () => {
    const broken = { ...secret, data: { release: 'bm90IGhlbG0=' } };
    expect(prepareForRestore('secrets', broken, { namespaceMapping: { shop: 'shop-dr' } }).data).toEqual(broken.data);
  });
});
