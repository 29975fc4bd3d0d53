/**
 * Reads typed fields from a raw event object, collecting every problem instead of stopping at the first,
 * so a bad event is answered with all of them at once. Each action's parser declares the fields it reads;
 * whatever no parser read is reported as unknown.
 */
export class EventFields {
  readonly problems: string[] = [];
  readonly #raw: Record<string, unknown>;
  readonly #read = new Set<string>();

  constructor(raw: Record<string, unknown>) {
    this.#raw = raw;
  }

  /** Whether the event carries the field (null counts as absent). */
  has(field: string): boolean {
    return this.#raw[field] !== undefined && this.#raw[field] !== null;
  }

  /** The raw value, marking the field as known. */
  raw(field: string): unknown {
    this.#read.add(field);
    return this.#raw[field];
  }

  string(field: string, label = field): string | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this.problems.push(`${label} must be a string`);
      return undefined;
    }
    return v;
  }

  boolean(field: string, label = field): boolean | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.problems.push(`${label} must be true or false`);
      return undefined;
    }
    return v;
  }

  /** A whole number from `min` to `max`. */
  integer(field: string, min: number, max: number, label = field): number | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.problems.push(`${label} must be a whole number from ${min} to ${max}`);
      return undefined;
    }
    return v;
  }

  stringList(field: string, label = field): string[] | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      this.problems.push(`${label} must be an array of strings`);
      return undefined;
    }
    return v as string[];
  }

  /** A JSON object of string values, e.g. `{"shop": "shop-restored"}`. */
  stringMap(field: string, label = field): Record<string, string> | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      this.problems.push(`${label} must be an object whose values are strings`);
      return undefined;
    }
    return { ...(v as Record<string, string>) };
  }

  /** A nested object read with its own EventFields; its problems are prefixed with `label.`. */
  object(field: string, label = field): EventFields | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.problems.push(`${label} must be an object`);
      return undefined;
    }
    return new EventFields(v as Record<string, unknown>);
  }

  /** Fields present in the event that nothing read. */
  unread(): string[] {
    return Object.keys(this.#raw).filter((k) => !this.#read.has(k));
  }
}
