import { KubeError } from './errors';

/**
 * Discovery could not even list the API groups (`/api`, `/api/v1` or `/apis` failed): nothing can be
 * backed up. A single failing group version is not this error; it becomes a warning instead.
 */
export class DiscoveryError extends KubeError {
  /** The discovery path that failed, e.g. `/apis`. */
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`discovery of ${path} failed: ${message}`, options);
    this.path = path;
  }
}
