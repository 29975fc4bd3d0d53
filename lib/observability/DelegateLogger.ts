/**
 * The logging surface lib/ needs. Powertools' Logger satisfies it (the handler passes one in); tests pass
 * a recorder. Messages are constant strings; details go in the structured extra object, never a secret.
 */
export interface DelegateLogger {
  debug(message: string, ...extra: Array<Record<string, unknown>>): void;
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

/** A logger that drops everything. */
export const silentLogger: DelegateLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
