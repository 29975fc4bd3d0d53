import { KubeApiError } from '../../../../lib/kube/errors';
import { compareKeys, itemKey, type PageRequest } from '../../../../lib/kube/pager';
import type { ListPage } from '../../../../lib/kube/types';

/** Fetches one whole page (the tests hand its items to the streaming pager at once). */
export type FetchPage = (req: PageRequest) => Promise<ListPage>;

export type Item = { metadata: { namespace?: string; name: string; uid: string } };

export interface FakeListServerOptions {
  /** The limit the pager must send on every request. */
  expectedLimit: number;
  /** 1-based request numbers whose continue token has expired (answered with 410 Expired). */
  expireOnRequests?: number[];
  /**
   * The 410 carries a token that goes on after the same key (kube-apiserver's "inconsistent continue",
   * Status.metadata.continue), as a real API server's does.
   * @default false
   */
  inconsistentContinue?: boolean;
  /** Called before each request is served, to change the stored items (e.g. while a list restarts). */
  beforeRequest?: (requestNumber: number, server: FakeListServer) => void;
}

/**
 * A paged list served like the API server serves it from etcd: items in key order, opaque continue
 * tokens. It fails the test (records a violation and throws) whenever the pager breaks an invariant.
 */
export class FakeListServer {
  items: Item[];
  readonly requests: PageRequest[] = [];
  readonly violations: string[] = [];
  private readonly issued = new Map<string, string>(); // token -> key of the last item it follows
  private tokenSeq = 0;

  constructor(items: Item[], private readonly options: FakeListServerOptions) {
    this.items = sortByKey(items);
  }

  readonly fetchPage: FetchPage = async (req) => {
    this.requests.push(req);
    const n = this.requests.length;
    this.options.beforeRequest?.(n, this);
    const unexpected = Object.keys(req).filter((k) => !['limit', 'continue', 'signal'].includes(k));
    if (unexpected.length > 0) this.violate(`request ${n} sent ${unexpected.join(', ')} (a resourceVersion must never go with a continue token)`);
    if (req.limit !== this.options.expectedLimit) this.violate(`request ${n} sent limit ${req.limit}, expected ${this.options.expectedLimit}`);
    let afterKey: string | undefined;
    if (req.continue !== undefined) {
      afterKey = this.issued.get(req.continue);
      if (afterKey === undefined) this.violate(`request ${n} sent continue token ${JSON.stringify(req.continue)} that was never issued`);
      this.issued.delete(req.continue); // each token is used once
      if (this.options.expireOnRequests?.includes(n)) {
        let continueToken: string | undefined;
        if (this.options.inconsistentContinue && afterKey !== undefined) {
          continueToken = `inc-${++this.tokenSeq}`;
          this.issued.set(continueToken, afterKey);
        }
        throw new KubeApiError(410, '/api/v1/configmaps', 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.', continueToken === undefined ? undefined : { continueToken });
      }
    }
    const rest = afterKey === undefined ? this.items : this.items.filter((i) => compareKeys(itemKey(i), afterKey) > 0);
    const items = rest.slice(0, req.limit);
    const more = rest.length > items.length;
    const last = items[items.length - 1];
    const page: ListPage = {
      apiVersion: 'v1',
      kind: 'ConfigMapList',
      metadata: { resourceVersion: '4711' },
      items: items.map((i) => structuredClone(i)),
    };
    if (more && last) {
      const token = `tok-${++this.tokenSeq}`;
      this.issued.set(token, itemKey(last));
      page.metadata = { resourceVersion: '4711', continue: token, remainingItemCount: rest.length - items.length };
    }
    return page;
  };

  private violate(message: string): never {
    this.violations.push(message);
    throw new Error(`fake list server invariant broken: ${message}`);
  }
}

export function sortByKey(items: Item[]): Item[] {
  return [...items].sort((a, b) => compareKeys(itemKey(a), itemKey(b)));
}

/** `count` namespaced items spread over namespaces whose keys sort differently from naive expectations. */
export function makeItems(count: number, namespaces = ['default', 'kube-system', 'team', 'team-a']): Item[] {
  return Array.from({ length: count }, (_, i) => ({
    metadata: { namespace: namespaces[i % namespaces.length] as string, name: `cm-${String(i).padStart(5, '0')}`, uid: `uid-${i}` },
  }));
}
