export { TaskPool } from './TaskPool';
export { FixedSlots } from './Slots';
export type { Slots } from './Slots';
export { AdaptiveLimit, DEFAULT_THROTTLE_PAUSE_MS, PROBE_FACTOR } from './AdaptiveLimit';
export type { AdaptiveLimitOptions } from './AdaptiveLimit';
export { mapWithConcurrency } from './mapWithConcurrency';
export { runAbortController, RUN_SIGNAL_MAX_LISTENERS } from './runAbortController';
