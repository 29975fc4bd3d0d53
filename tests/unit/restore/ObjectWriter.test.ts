import type { KubeRequest, KubeResponse, KubeTransport } from '../../../lib/kube/types';
import { TargetThrottledError } from '../../../lib/restore';
import { OBJECT_ACTIONS } from '../../../lib/restore/objectActions';
import { ObjectWriter, type WriterOptions } from '../../../lib/restore/ObjectWriter';
import { RestoredWebhooks } from '../../../lib/restore/RestoredWebhooks';
import { TargetApi, type TargetEndpoint } from '../../../lib/restore/TargetApi';

// One object's write against a fake recovery cluster holding `stored` objects: which requests it sends
// and what it decides, per case of the table.
type Json = Record<string, unknown>;

const CONFIGMAPS: TargetEndpoint = { group: '', version: 'v1', groupVersion: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: [], name: 'configmaps' };
const json = (status: number, body: unknown, headers: KubeResponse['headers'] = {}): KubeResponse => ({ status, headers, body: Buffer.from(JSON.stringify(body)) });
const status = (code: number, reason: string, message = reason) => json(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

function cluster(stored: Map<string, Json>, answer?: (req: KubeRequest) => KubeResponse | undefined): KubeTransport & { sent: KubeRequest[] } {
  const sent: KubeRequest[] = [];
  return {
    sent,
    async request(req) {
      sent.push(req);
      const special = answer?.(req);
      if (special) return special;
      const path = req.path;
      if (req.method === 'GET') return stored.has(path) ? json(200, stored.get(path)) : status(404, 'NotFound');
      if (req.method === 'PUT') return json(200, req.body);
      const name = String(((req.body as Json).metadata as Json).name);
      return stored.has(`${path}/${name}`) ? status(409, 'AlreadyExists') : json(201, req.body);
    },
  };
}

function writer(kube: KubeTransport, opts: Partial<WriterOptions> = {}): ObjectWriter {
  const options: WriterOptions = { dryRun: false, existingResourcePolicy: 'skip', namespaceMapping: {}, ...opts };
  const target = new TargetApi(kube, undefined, { dryRun: options.dryRun, paced: true });
  return new ObjectWriter(target, options, { selectorServices: new Set(), hasUid: () => false }, undefined, new RestoredWebhooks(options.dryRun), OBJECT_ACTIONS);
}

const configMap = (name: string, data: Json, namespace = 'shop'): Json => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
const sent = (kube: { sent: KubeRequest[] }) => kube.sent.map((r) => `${r.method} ${r.path}${r.query ? `?${new URLSearchParams(r.query as Record<string, string>).toString()}` : ''}`);

describe('ObjectWriter', () => {
  it('creates what is not there, as the field manager eks-delegate', async () => {
    const kube = cluster(new Map());
    const w = writer(kube);
    expect(await w.write(w.prepare('configmaps', CONFIGMAPS, configMap('a', { k: 'v' })), new Set())).toEqual({ outcome: 'created' });
    expect(sent(kube)).toEqual(['POST /api/v1/namespaces/shop/configmaps?fieldManager=eks-delegate']);
  });

  it('dry run: every write carries dryRun=All, built in TargetApi', async () => {
    const kube = cluster(new Map());
    const w = writer(kube, { dryRun: true });
    await w.write(w.prepare('configmaps', CONFIGMAPS, configMap('a', {})), new Set());
    expect(sent(kube)).toEqual(['POST /api/v1/namespaces/shop/configmaps?fieldManager=eks-delegate&dryRun=All']);
  });

  it('existing, policy update: one GET and a PUT, or nothing when it already matches', async () => {
    const path = '/api/v1/namespaces/shop/configmaps/a';
    const stored = new Map([[path, { ...configMap('a', { k: 'old' }), metadata: { name: 'a', namespace: 'shop', resourceVersion: '5' } }]]);
    const kube = cluster(stored);
    const w = writer(kube, { existingResourcePolicy: 'update' });
    expect(await w.write(w.prepare('configmaps', CONFIGMAPS, configMap('a', { k: 'new' })), new Set(['shop/a']))).toEqual({ outcome: 'updated' });
    expect(sent(kube)).toEqual([`GET ${path}`, `PUT ${path}?fieldManager=eks-delegate`]);
    expect(((kube.sent[1]!.body as Json).metadata as Json).resourceVersion).toBe('5');
    expect(await w.write(w.prepare('configmaps', CONFIGMAPS, configMap('a', { k: 'old' })), new Set(['shop/a'])))
      .toMatchObject({ outcome: 'exists', skipped: 'exists', reason: 'exists and already matches the recovery point' });
  });

  it('a 409 the list did not expect, resumable: made by this delegate and matching counts as created once; someone else\'s is left alone', async () => {
    const ours = { ...configMap('a', { k: 'v' }), metadata: { name: 'a', namespace: 'shop', managedFields: [{ manager: 'eks-delegate' }] } };
    const theirs = { ...configMap('b', { k: 'v' }), metadata: { name: 'b', namespace: 'shop', managedFields: [{ manager: 'kubectl' }] } };
    const kube = cluster(new Map([['/api/v1/namespaces/shop/configmaps/a', ours], ['/api/v1/namespaces/shop/configmaps/b', theirs]]));
    const w = writer(kube, { resumable: true });
    expect(await w.write(w.prepare('configmaps', CONFIGMAPS, configMap('a', { k: 'v' })), new Set()))
      .toEqual({ outcome: 'created', reason: 'created (an earlier attempt of this step made it)' });
    expect(await w.write(w.prepare('configmaps', CONFIGMAPS, configMap('b', { k: 'v' })), new Set()))
      .toMatchObject({ outcome: 'exists', reason: 'exists in the recovery cluster' });
  });

  it('aws-auth is its own entry of the action table: merged with the recovery cluster\'s mappings, never replaced', async () => {
    const path = '/api/v1/namespaces/kube-system/configmaps/aws-auth';
    const theirs = '- rolearn: arn:aws:iam::444455556666:role/dr-nodes\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:nodes\n';
    const ours = '- rolearn: arn:aws:iam::444455556666:role/app-admins\n  username: admin\n  groups:\n  - system:masters\n';
    const kube = cluster(new Map([[path, { ...configMap('aws-auth', { mapRoles: theirs }, 'kube-system'), metadata: { name: 'aws-auth', namespace: 'kube-system', resourceVersion: '9' } }]]));
    // In the list too: the action, not the policy skip, decides.
    const w = writer(kube);
    const result = await w.write(w.prepare('configmaps', CONFIGMAPS, configMap('aws-auth', { mapRoles: ours }, 'kube-system')), new Set(['kube-system/aws-auth']));
    expect(result).toMatchObject({ outcome: 'updated', reason: 'merged: 1 mapping(s) added, 1 of the recovery cluster kept' });
    const put = kube.sent.find((r) => r.method === 'PUT');
    expect(String(((put?.body as Json).data as Json).mapRoles)).toMatch(/dr-nodes[\s\S]*app-admins|app-admins[\s\S]*dr-nodes/);
  });

  it('a 429 throws TargetThrottledError with the Retry-After, nothing decided; the transport is told to hand 429s back', async () => {
    const kube = cluster(new Map(), (req) => (req.method === 'POST' ? json(429, { kind: 'Status', code: 429 }, { 'retry-after': '2' }) : undefined));
    const w = writer(kube);
    const err = await w.write(w.prepare('configmaps', CONFIGMAPS, configMap('a', {})), new Set()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetThrottledError);
    expect((err as TargetThrottledError).retryAfterMs).toBe(2_000);
    expect(kube.sent[0]?.handBack429).toBe(true);
  });
});
