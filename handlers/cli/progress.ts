// The progress line of long work (backup, restore, verify, diff): one line on stderr, redrawn in place,
// only when stderr is a TTY, so pipes, files and CI logs never see it. Drawn with a carriage return and
// erase-line only, never by saving and restoring the cursor: a log line printed meanwhile made the saved
// cursor point into the middle of the output, and the last redraw overprinted the result (issue 27).
import type { ProgressReport } from '../delegate';
import { count, humanBytes } from './format';

/** Redraws at most this often. */
const REDRAW_MS = 125;
/** Erase from the cursor to the end of the line (ECMA-48 EL). */
const ERASE_LINE = '\x1b[K';

export interface ProgressLine {
  update(progress: ProgressReport): void;
  /** Writes `text` (a log line) to the stream with the progress line out of its way, then redraws it. */
  interject(text: string): void;
  /** Erases the line for good: the result comes next. */
  stop(): void;
}

/** What the line says for one report. */
export function progressText(p: ProgressReport): string {
  switch (p.stage) {
    case 'backup':
      return `backup: ${p.typesDone ?? 0}/${p.typesTotal ?? '?'} types, ${count(p.objects ?? 0)} objects, ${humanBytes(p.bytes ?? 0)}`;
    case 'restore':
      return `restore: ${p.tier ?? ''}${p.tier ? ', ' : ''}${count(p.objects ?? 0)} objects`;
    default:
      return `${p.stage}: ${humanBytes(p.bytes ?? 0)} read`;
  }
}

/** A progress line on `stream`, or one that draws nothing when the stream is not a TTY. */
export function progressLine(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): ProgressLine {
  if (!stream.isTTY) return { update: () => undefined, interject: (text) => void stream.write(text), stop: () => undefined };
  let text = '';
  let shown = false;
  let stopped = false;
  let drawnAt = -Infinity;
  // Kept shorter than the terminal: a wrapped line cannot be erased with one carriage return.
  const fit = (s: string) => s.slice(0, Math.max(10, (stream.columns || 80) - 1));
  const draw = () => {
    stream.write(`\r${fit(text)}${ERASE_LINE}`);
    shown = true;
    drawnAt = now();
  };
  const erase = () => {
    if (shown) stream.write(`\r${ERASE_LINE}`);
    shown = false;
  };
  return {
    update(p) {
      if (stopped) return;
      text = progressText(p);
      if (now() - drawnAt >= REDRAW_MS) draw();
    },
    interject(line) {
      erase();
      stream.write(line);
      if (!stopped && text) draw();
    },
    stop() {
      stopped = true;
      erase();
    },
  };
}
