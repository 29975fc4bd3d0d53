/** The event (or the environment standing in for its missing fields) is unusable; `problems` names every one. */
export class InvalidEventError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid event: ${problems.join('; ')}`);
    this.name = 'InvalidEventError';
    this.problems = problems;
  }
}
