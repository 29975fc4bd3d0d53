/**
 * EKS Pod Identity associations: ListPodIdentityAssociations only returns summaries (no role), so each
 * one is described. A failure does not fail the backup: it comes back as a warning item carrying a
 * `PodIdentityLookupError`, and the backup records the roles it could read.
 */
import {
  DescribePodIdentityAssociationCommand,
  ListPodIdentityAssociationsCommand,
  type EKSClient,
  type ListPodIdentityAssociationsCommandOutput,
  type PodIdentityAssociationSummary,
} from '@aws-sdk/client-eks';
import { TaskPool } from '../concurrency';
import { PodIdentityLookupError, type PodIdentityOperation } from './errors';
import type { PodIdentityAssociation } from './types';

/** The API's largest page. */
export const DEFAULT_POD_IDENTITY_PAGE_SIZE = 100;
/** Describe calls in flight at once: enough to be quick, few enough to stay under EKS's rate limits. */
export const DEFAULT_DESCRIBE_CONCURRENCY = 5;

export interface ListPodIdentityAssociationsOptions {
  /** Cancels the listing: checked before every call and passed to the SDK. @default undefined */
  signal?: AbortSignal;
  /** DescribePodIdentityAssociation calls in flight at once. @default 5 */
  concurrency?: number;
  /** `maxResults` of each ListPodIdentityAssociations page (1-100). @default 100 */
  pageSize?: number;
}

/** What the listing yields: an association, or a warning about what could not be read. */
export type PodIdentityListItem =
  | { kind: 'association'; association: PodIdentityAssociation }
  | { kind: 'warning'; warning: PodIdentityLookupError };

/** Everything `collectPodIdentityAssociations` found, and the warnings for what it could not read. */
export interface PodIdentityAssociations {
  associations: PodIdentityAssociation[];
  warnings: PodIdentityLookupError[];
}

/**
 * Yields every Pod Identity association of the cluster with its role ARNs, page by page. Never throws
 * for an AWS error: access denied (or any other failure) on the list ends the listing with one warning
 * item; on a describe it yields a warning for that association, and access denied stops further
 * describes (they would all fail the same way). Only cancellation throws.
 */
export async function* listPodIdentityAssociations(
  eks: EKSClient,
  clusterName: string,
  options: ListPodIdentityAssociationsOptions = {},
): AsyncGenerator<PodIdentityListItem, void, undefined> {
  const { signal } = options;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_DESCRIBE_CONCURRENCY);
  const maxResults = Math.min(100, Math.max(1, options.pageSize ?? DEFAULT_POD_IDENTITY_PAGE_SIZE));
  const seenTokens = new Set<string>();
  let nextToken: string | undefined;
  do {
    signal?.throwIfAborted();
    let page: ListPodIdentityAssociationsCommandOutput;
    try {
      page = await eks.send(new ListPodIdentityAssociationsCommand({ clusterName, maxResults, nextToken }), { abortSignal: signal });
    } catch (error) {
      signal?.throwIfAborted();
      yield { kind: 'warning', warning: lookupError(clusterName, 'ListPodIdentityAssociations', undefined, error) };
      return;
    }
    const outcomes = await describeAll(eks, clusterName, page.associations ?? [], concurrency, signal);
    for (const outcome of outcomes) yield outcome;
    if (outcomes.some((o) => o.kind === 'warning' && o.warning.accessDenied)) return;

    nextToken = page.nextToken || undefined;
    if (nextToken !== undefined) {
      // A server that hands back a token it already gave would page forever.
      if (seenTokens.has(nextToken)) return;
      seenTokens.add(nextToken);
    }
  } while (nextToken !== undefined);
}

/** Drains `listPodIdentityAssociations` into `{ associations, warnings }`. */
export async function collectPodIdentityAssociations(
  eks: EKSClient,
  clusterName: string,
  options: ListPodIdentityAssociationsOptions = {},
): Promise<PodIdentityAssociations> {
  const result: PodIdentityAssociations = { associations: [], warnings: [] };
  for await (const item of listPodIdentityAssociations(eks, clusterName, options)) {
    if (item.kind === 'association') result.associations.push(item.association);
    else result.warnings.push(item.warning);
  }
  return result;
}

/**
 * Describes one page of associations, at most `concurrency` at a time, in the page's order. After
 * an access-denied answer no new describe starts, and only the first such warning is kept.
 */
async function describeAll(
  eks: EKSClient,
  clusterName: string,
  summaries: PodIdentityAssociationSummary[],
  concurrency: number,
  signal: AbortSignal | undefined,
): Promise<PodIdentityListItem[]> {
  const outcomes: Array<PodIdentityListItem | undefined> = new Array(summaries.length);
  let denied = false;
  const describes = new TaskPool(concurrency);
  for (const [index, summary] of summaries.entries()) {
    if (denied) break;
    await describes.start(async () => {
      // Denied while this one waited for its slot: it does not start.
      if (denied) return;
      const outcome = await describeOne(eks, clusterName, summary, signal);
      if (outcome?.kind === 'warning' && outcome.warning.accessDenied) {
        if (denied) return;
        denied = true;
      }
      outcomes[index] = outcome;
    });
  }
  await describes.drain();
  return outcomes.filter((o): o is PodIdentityListItem => o !== undefined);
}

async function describeOne(
  eks: EKSClient,
  clusterName: string,
  summary: PodIdentityAssociationSummary,
  signal: AbortSignal | undefined,
): Promise<PodIdentityListItem | undefined> {
  const associationId = summary.associationId;
  if (!associationId) return undefined;
  signal?.throwIfAborted();
  try {
    const { association } = await eks.send(new DescribePodIdentityAssociationCommand({ clusterName, associationId }), { abortSignal: signal });
    const namespace = association?.namespace ?? summary.namespace;
    const serviceAccount = association?.serviceAccount ?? summary.serviceAccount;
    if (!namespace || !serviceAccount) return undefined;
    const result: PodIdentityAssociation = { associationId, namespace, serviceAccount };
    const associationArn = association?.associationArn ?? summary.associationArn;
    if (associationArn) result.associationArn = associationArn;
    if (association?.roleArn) result.roleArn = association.roleArn;
    if (association?.targetRoleArn) result.targetRoleArn = association.targetRoleArn;
    return { kind: 'association', association: result };
  } catch (error) {
    signal?.throwIfAborted();
    return { kind: 'warning', warning: lookupError(clusterName, 'DescribePodIdentityAssociation', associationId, error) };
  }
}

function lookupError(clusterName: string, operation: PodIdentityOperation, associationId: string | undefined, error: unknown): PodIdentityLookupError {
  const code = error instanceof Error ? error.name : undefined;
  return new PodIdentityLookupError(clusterName, operation, code, associationId, { cause: error });
}
