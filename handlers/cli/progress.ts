// The progress line of long work (backup, restore, verify, diff): one line on stderr, redrawn in place,
// only when stderr is a TTY, so pipes, files and CI logs never see it. Drawn by cli-progress.
import { SingleBar } from 'cli-progress';
import type { ProgressReport } from '../delegate';
import { count, humanBytes } from './format';

export interface ProgressLine {
  update(progress: ProgressReport): void;
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
export function progressLine(stream: NodeJS.WriteStream = process.stderr): ProgressLine {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ stream, format: '{text}', hideCursor: false, clearOnComplete: true, fps: 8, noTTYOutput: false });
  let started = false;
  return {
    update(p) {
      if (!started) {
        bar.start(1, 0, { text: progressText(p) });
        started = true;
      } else {
        bar.update(0, { text: progressText(p) });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
