/**
 * Values that name the source cluster's account, region, one of its zones, or the cluster itself (issue 24).
 * Only a restore knows these facts, and only a restore reports them: a backup has no "other" region.
 * Rules against false positives (DESIGN.md section 8, "What real workloads showed"):
 * - a region or zone counts as a whole value or a whole token (`sqs.us-east-1.amazonaws.com`,
 *   `--region=us-east-1`, `aws://us-east-1a/vol-...`), never inside a longer word (`us-east-10`, `xus-east-1`);
 * - an account id counts as 12 digits not inside a longer number or word;
 * - the cluster name counts as the whole value, or a token of a value without whitespace
 *   (`--cluster-name=prod`, `kubernetes.io/cluster/prod`); a word in prose is not a reference.
 */
import type { KnownDependencyType } from './types';

/** The source cluster, as the recovery point's manifest names it. */
export interface SourceFacts {
  account: string;
  region: string;
  clusterName: string;
}

/** One mention of a source fact inside a string. */
export interface SourceMention {
  index: number;
  value: string;
  type: Extract<KnownDependencyType, 'region' | 'availability-zone' | 'account-id' | 'cluster-name'>;
}

/** Compiled once per restore. */
export interface SourceMentionPatterns {
  facts: SourceFacts;
  /** Zones of the source region (`us-east-1a`), Local and Wavelength Zones (`us-east-1-bos-1a`) too, or the region itself. */
  regionOrZone: RegExp;
  account: RegExp;
  clusterName: RegExp;
}

const WHITESPACE = /\s/;

export function sourceMentionPatterns(facts: SourceFacts): SourceMentionPatterns {
  const region = escapeRegExp(facts.region);
  return {
    facts,
    // The zone suffix: a letter (`a`), or a Local/Wavelength Zone's `-<city>-<n><letter>` / `-wl1-<city>-wlz-<n>`.
    regionOrZone: new RegExp(`(?<![A-Za-z0-9-])${region}(?:[a-z]|-[a-z]{3}-\\d[a-z]|-wl\\d-[a-z]{3}-wlz-\\d)?(?![A-Za-z0-9-])`, 'g'),
    account: new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(facts.account)}(?![A-Za-z0-9])`, 'g'),
    clusterName: new RegExp(`(?<![A-Za-z0-9_.-])${escapeRegExp(facts.clusterName)}(?![A-Za-z0-9_.-])`, 'g'),
  };
}

/**
 * A field that names a Kubernetes object (`name`, `namespace`, `serviceAccountName`, `storageClassName`,
 * `claimName`, ...): a cluster named like a common object (`default`, `main`) must not make every
 * reference to that object a mention of the cluster. `clusterName` itself is not one of them.
 */
export function namesKubernetesObject(key: string | number | undefined): boolean {
  return typeof key === 'string' && (key === 'name' || key === 'namespace' || (key.endsWith('Name') && key !== 'clusterName'));
}

/**
 * Every mention of a source fact in `text`, in order of kind then position. `clusterName: false` leaves
 * the cluster's name out (the text is in a field that names a Kubernetes object).
 */
export function locateSourceMentions(text: string, patterns: SourceMentionPatterns, options: { clusterName?: boolean } = {}): SourceMention[] {
  const { facts } = patterns;
  const found: SourceMention[] = [];
  if (text.includes(facts.region)) {
    for (const match of text.matchAll(patterns.regionOrZone)) {
      const value = match[0];
      found.push({ index: match.index ?? 0, value, type: value === facts.region ? 'region' : 'availability-zone' });
    }
  }
  if (text.includes(facts.account)) {
    for (const match of text.matchAll(patterns.account)) found.push({ index: match.index ?? 0, value: match[0], type: 'account-id' });
  }
  if (options.clusterName !== false && facts.clusterName !== '' && text.includes(facts.clusterName)) {
    if (text.trim() === facts.clusterName) found.push({ index: text.indexOf(facts.clusterName), value: facts.clusterName, type: 'cluster-name' });
    else if (!WHITESPACE.test(text)) {
      for (const match of text.matchAll(patterns.clusterName)) found.push({ index: match.index ?? 0, value: match[0], type: 'cluster-name' });
    }
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
