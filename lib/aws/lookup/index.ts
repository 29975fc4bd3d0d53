// Read-only lookups of AWS resources in the recovery account and region (readiness, DESIGN.md section 11).
export { lookupAwsResource } from './lookupAwsResource';
export { LookupClients, type LookupClientsOptions } from './LookupClients';
export { Ec2Query, Ec2QueryError, parseEc2Answer } from './Ec2Query';
export { classifyLookupError } from './classifyLookupError';
export type { LookupResult, LookupState, LookupTarget, LookupType } from './types';
