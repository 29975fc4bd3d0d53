// Helm 3 keeps each release revision in a Secret of type `helm.sh/release.v1` (labels owner=helm, name,
// status, version) whose `data.release` is, under the Secret's own base64, Helm's encoding of the release:
// base64 of gzipped JSON. Restored as they are, `helm list`, `helm upgrade` and `helm rollback` work in the
// recovery cluster; with namespaceMapping the release's own `namespace` must follow the Secret, or Helm
// would describe (and uninstall) the release in the source's namespace. The values inside are the
// customer's: never logged, never reported.
import { gunzipSync, gzipSync } from 'node:zlib';

type Json = Record<string, unknown>;

export const HELM_RELEASE_SECRET_TYPE = 'helm.sh/release.v1';
/** gzip's magic bytes: Helm reads releases with or without them. */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);

/** A Helm release as stored (only the fields restore reads; the rest is kept as it is). */
export interface HelmRelease extends Json {
  name?: string;
  namespace?: string;
  version?: number;
  info?: { status?: string } & Json;
}

/** The release inside a Helm release Secret's `data.release` (the Secret's base64). */
export function decodeHelmRelease(secretDataRelease: string): HelmRelease {
  const helmEncoded = Buffer.from(secretDataRelease, 'base64').toString('utf8');
  const bytes = Buffer.from(helmEncoded, 'base64');
  const json = bytes.subarray(0, 3).equals(GZIP_MAGIC) ? gunzipSync(bytes) : bytes;
  return JSON.parse(json.toString('utf8')) as HelmRelease;
}

/** The Secret's `data.release` for a release, gzipped as Helm writes it. */
export function encodeHelmRelease(release: HelmRelease): string {
  const helmEncoded = gzipSync(Buffer.from(JSON.stringify(release), 'utf8')).toString('base64');
  return Buffer.from(helmEncoded, 'utf8').toString('base64');
}

/**
 * For a Helm release Secret moved by namespaceMapping (in place): the release's `namespace` set to the
 * Secret's new namespace. Returns whether it changed anything; a release that cannot be decoded is left
 * as it is (false).
 */
export function moveHelmRelease(secret: Json, namespace: string): boolean {
  if (secret.type !== HELM_RELEASE_SECRET_TYPE) return false;
  const data = secret.data;
  if (typeof data !== 'object' || data === null || typeof (data as Json).release !== 'string') return false;
  let release: HelmRelease;
  try {
    release = decodeHelmRelease((data as Json).release as string);
  } catch {
    return false;
  }
  if (release.namespace === namespace) return false;
  release.namespace = namespace;
  (data as Json).release = encodeHelmRelease(release);
  return true;
}
