import { KubeApiError } from '../../../lib/kube/errors';
import { listNamespaceNames } from '../../../lib/kube/listNamespaceNames';
import type { KubeRequest, KubeResponse, KubeTransport } from '../../../lib/kube/types';

const json = (status: number, body: unknown): KubeResponse => ({ status, headers: {}, body: Buffer.from(JSON.stringify(body)) });
const namespace = (name: string) => ({ metadata: { name } });

describe('listNamespaceNames', () => {
  it('follows continue tokens and keeps only the names', async () => {
    const requests: KubeRequest[] = [];
    const transport: KubeTransport = {
      request: async (req) => {
        requests.push(req);
        return req.query?.continue === 'page-2'
          ? json(200, { kind: 'NamespaceList', metadata: {}, items: [namespace('shop')] })
          : json(200, { kind: 'NamespaceList', metadata: { continue: 'page-2' }, items: [namespace('default'), namespace('kube-system')] });
      },
    };
    await expect(listNamespaceNames(transport, { pageSize: 2 })).resolves.toEqual(['default', 'kube-system', 'shop']);
    expect(requests.map((r) => [r.path, r.query?.limit, r.query?.continue])).toEqual([
      ['/api/v1/namespaces', 2, undefined],
      ['/api/v1/namespaces', 2, 'page-2'],
    ]);
  });

  it('throws the API server\'s refusal, so the caller can say the names could not be checked', async () => {
    const transport: KubeTransport = { request: async () => json(403, { kind: 'Status', reason: 'Forbidden', message: 'namespaces is forbidden' }) };
    const err = await listNamespaceNames(transport).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(403);
  });
});
