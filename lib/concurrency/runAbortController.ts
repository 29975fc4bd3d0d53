import { setMaxListeners } from 'node:events';

/**
 * Listeners a run's signal may carry before Node warns. Every request in flight listens on the run's one
 * signal: up to 16 API server sockets (KubeClient's default), their retry waits, the upload's parts, EKS and
 * KMS calls. Node 20's default of 10 made every backup of a few thousand objects print
 * MaxListenersExceededWarning for what is concurrency, not a leak (each listener goes when its request does);
 * Node 22 sets no limit on signals.
 */
export const RUN_SIGNAL_MAX_LISTENERS = 64;

/** The abort controller of one backup or restore, sized for the requests it runs at once. */
export function runAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(RUN_SIGNAL_MAX_LISTENERS, controller.signal);
  return controller;
}
