// drift (DESIGN.md section 11): the live cluster against its latest recovery point.
export { runDrift } from './runDrift';
export type { DriftOptions, DriftResult } from './runDrift';
export { liveClusterSource } from './liveClusterSource';
export type { LiveSourceOptions } from './liveClusterSource';
