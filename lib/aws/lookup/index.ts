// Read-only lookups of AWS resources in the recovery account and region (readiness, DESIGN.md section 11).
export { lookupAwsResource } from './lookupAwsResource';
export { LookupClients, type LookupClientsOptions } from './LookupClients';
export { AwsReadClient, AwsReadError, READ_SERVICES, resolveEndpoint, type AwsReadClientOptions, type ReadRequest, type ReadService } from './AwsReadClient';
export { countSetItems, jsonCall, jsonError, queryCall, restJsonGet, xmlError } from './protocols';
export { classifyLookupError } from './classifyLookupError';
export type { LookupResult, LookupState, LookupTarget, LookupType } from './types';
