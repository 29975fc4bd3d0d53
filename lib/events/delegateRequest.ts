import type { ResourceFilterSpec } from '../backup/filters';

export type DelegateAction = 'backup' | 'check-access' | 'preflight';
export const DELEGATE_ACTIONS: readonly DelegateAction[] = ['backup', 'check-access', 'preflight'];

interface ClusterTarget {
  clusterName: string;
  region: string;
}

export interface BackupRequest extends ClusterTarget {
  action: 'backup';
  bucket: string;
  prefix: string;
  /** Generated from the start time when the event gives none. */
  recoveryPointId: string | undefined;
  filters: ResourceFilterSpec;
  /** Where the request came from, for logs: 'direct' | 'schedule'. */
  trigger: 'direct' | 'schedule';
}

export interface CheckAccessRequest extends ClusterTarget {
  action: 'check-access';
}

export interface PreflightRequest extends ClusterTarget {
  action: 'preflight';
}

/** A validated event: everything the delegate needs, defaults applied. */
export type DelegateRequest = BackupRequest | CheckAccessRequest | PreflightRequest;
