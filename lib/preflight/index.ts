export { runPreflight, DEFAULT_PREFLIGHT_PORT, DEFAULT_STEP_TIMEOUT_MS, DEFAULT_OVERALL_TIMEOUT_MS } from './runPreflight';
export { serviceHost } from './preflightTargets';
export { isPrivateAddress } from './isPrivateAddress';
export type {
  PreflightOptions, PreflightReport, TargetReport, PreflightTargetId, ServiceTargetId, ResolvedAddress,
  StepResult, TcpStepResult, DnsFailure, TcpFailure, TlsFailure, Resolver, TcpConnector,
} from './types';
export * from './errors';
