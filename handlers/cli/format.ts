// Small formatters for people: sizes, durations, times, coloured statuses, borderless tables that fit an
// 80-column terminal. Colour only on a TTY and never with NO_COLOR (https://no-color.org).
import Table from 'cli-table3';
import { createColors } from 'picocolors';

export type Colors = ReturnType<typeof createColors>;

/** Colours for a stream: on only for a TTY, off whenever NO_COLOR is set to anything but ''. */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return createColors(Boolean(stream.isTTY) && !noColor);
}

/** `512 B`, `4.1 KB`, `12.3 MB` (powers of 1000, as `du --si` and S3's console count). */
export function humanBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = '';
  for (const u of units) {
    value /= 1000;
    unit = u;
    if (value < 999.95) break;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** `850ms`, `4.2s`, `3m05s`, `1h02m`. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `2026-11-23 20:05:01Z` */
export function humanTime(iso: string | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** `11-23 20:05` (UTC), for a table column. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(5, 16).replace('T', ' ');
}

/** 1234567 -> `1,234,567` */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A status word coloured by what it means to the operator. */
export function statusText(status: string, c: Colors): string {
  switch (status) {
    case 'COMPLETED': case 'VALID': case 'OK': case 'ok': case 'READY': return c.green(status);
    case 'PARTIAL': case 'INCOMPLETE': case 'excluded': case 'gone': case 'AT_RISK': return c.yellow(status);
    case 'FAILED': case 'INVALID': case 'forbidden': case 'failed': case 'NOT_READY': return c.red(status);
    default: return status;
  }
}

/** A borderless table like kubectl's: two spaces between columns, no trailing spaces. */
export function table(head: string[], rows: string[][], align: Array<'left' | 'right'> = []): string {
  const t = new Table({
    head,
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colAligns: head.map((_, i) => align[i] ?? 'left'),
  });
  t.push(...rows);
  return t.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}
