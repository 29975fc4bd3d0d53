/**
 * Input the CLI refuses before anything runs (a flag's value, an event file): exit code 64, and a message
 * that names the flag or the file and says how to fix it.
 */
export class CliInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliInputError';
  }
}
