// Read-only lookups of AWS resources in the recovery account and region (readiness, DESIGN.md section 11).
export { lookupAwsResource } from './lookupAwsResource';
export { LookupClients } from './LookupClients';
export { classifyLookupError } from './classifyLookupError';
export type { LookupResult, LookupState, LookupTarget, LookupType } from './types';
