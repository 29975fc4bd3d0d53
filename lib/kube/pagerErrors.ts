import { KubeError } from './errors';

/** A paged list kept expiring (410 Gone on a continue request) more often than the pager may restart it. */
export class ListRestartsExhaustedError extends KubeError {
  /** How many times the list was restarted before giving up. */
  readonly restarts: number;
  constructor(restarts: number, options?: { cause?: unknown }) {
    super(`list restarted ${restarts} times after its continue token expired; giving up`, options);
    this.restarts = restarts;
  }
}
