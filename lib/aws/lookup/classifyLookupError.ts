import type { LookupResult } from './types';

/** Error names AWS answers when the caller may not make the call: the resource's state is unknown, never guessed. */
const ACCESS_DENIED = new Set([
  'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'AuthorizationErrorException',
  'UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredToken', 'ExpiredTokenException',
]);

/** Error names that mean the resource does not exist (per service). */
const NOT_FOUND = new Set([
  'NoSuchEntity', 'NoSuchEntityException', 'RepositoryNotFoundException', 'ImageNotFoundException', 'NotFoundException',
  'ResourceNotFoundException', 'FileSystemNotFound', 'AccessPointNotFound', 'InvalidVolume.NotFound', 'InvalidSnapshot.NotFound',
  'InvalidGroup.NotFound', 'InvalidGroupId.Malformed', 'InvalidSubnetID.NotFound', 'NotFound', 'AWS.SimpleQueueService.NonExistentQueue',
  'QueueDoesNotExist',
]);

/**
 * A lookup's error as a LookupResult: missing when AWS says the resource does not exist, not checkable
 * (access denied) when the delegate may not ask, not checkable (failed) for anything else: an outage or
 * throttling says nothing about the resource.
 */
export function classifyLookupError(err: unknown): LookupResult {
  const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } } | null;
  const name = e?.name ?? e?.Code ?? 'Error';
  const text = `${name}: ${e?.message ?? String(err)}`;
  if (ACCESS_DENIED.has(name) || e?.$metadata?.httpStatusCode === 403) return { state: 'not-checkable', detail: `no permission to check (${text})`, accessDenied: true };
  if (NOT_FOUND.has(name)) return { state: 'missing', detail: text };
  return { state: 'not-checkable', detail: `the lookup failed (${text})` };
}
