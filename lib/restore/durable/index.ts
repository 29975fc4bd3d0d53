// A restore that continues across invocations by itself, on AWS Lambda durable functions (DESIGN.md section 10,
// docs/durable-restore.md). Kept out of lib/restore/index.ts: only the durable handler loads it.
export { runDurableRestore, SliceInterruptedError, DEFAULT_INVOCATION_BUDGET_MS } from './runDurableRestore';
export type { DurableRestoreInput, DurableRestoreDependencies, StepSession } from './runDurableRestore';
export { planSlices, sliceName, sliceResource, DEFAULT_SLICE_OBJECTS } from './planSlices';
export { readRestoreStatus, writeRestoreStatus, progressOf } from './restoreStatus';
export type { StatusLocation } from './restoreStatus';
export { addCounts, decideRestoreStatus, summarizeSlice } from './summary';
export type * from './types';
