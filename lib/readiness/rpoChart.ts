// The report's picture of RPO: one bar per recent recovery point, its height the time since the one before
// (the data a disaster just before it would have lost), the target as a line. Inline SVG, no script.
import { escapeHtml } from './escapeHtml';
import type { RecoveryPointAge } from './types';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 56, right: 12, top: 14, bottom: 40 };

export function rpoChartSvg(points: readonly RecoveryPointAge[], targetSeconds: number, ageSeconds: number | undefined): string {
  // Oldest on the left; the last bar is "now": the newest recovery point's age.
  const bars = [...points].reverse().filter((p) => p.gapSeconds !== undefined).map((p) => ({ label: p.recoveryPointId, seconds: p.gapSeconds!, now: false }));
  if (ageSeconds !== undefined) bars.push({ label: 'now', seconds: ageSeconds, now: true });
  if (bars.length === 0) return '<p class="muted">No recovery points to chart.</p>';
  const max = Math.max(targetSeconds, ...bars.map((b) => b.seconds)) * 1.1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / bars.length;
  const y = (s: number): number => PAD.top + plotH - (s / max) * plotH;
  const hours = (s: number): string => (s / 3600).toFixed(s < 36000 ? 1 : 0);
  const rects = bars.map((b, i) => {
    const h = PAD.top + plotH - y(b.seconds);
    const cls = b.seconds > targetSeconds ? 'bar over' : b.now ? 'bar now' : 'bar';
    return `<rect class="${cls}" x="${(PAD.left + i * step + step * 0.15).toFixed(1)}" y="${y(b.seconds).toFixed(1)}" width="${(step * 0.7).toFixed(1)}" height="${Math.max(1, h).toFixed(1)}"><title>${escapeHtml(b.label)}: ${hours(b.seconds)} h</title></rect>`;
  }).join('');
  const ty = y(targetSeconds).toFixed(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Recovery point age against the RPO target">`
    + `<line class="axis" x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotH}"/>`
    + `<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}"/>`
    + `<text class="tick" x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${hours(max)} h</text>`
    + `<text class="tick" x="${PAD.left - 6}" y="${PAD.top + plotH}" text-anchor="end">0</text>`
    + rects
    + `<line class="target" x1="${PAD.left}" y1="${ty}" x2="${WIDTH - PAD.right}" y2="${ty}"/>`
    + `<text class="tick" x="${WIDTH - PAD.right}" y="${Number(ty) - 4}" text-anchor="end">RPO target ${hours(targetSeconds)} h</text>`
    + `<text class="tick" x="${PAD.left}" y="${HEIGHT - 12}">${escapeHtml(bars[0]!.label)}</text>`
    + `<text class="tick" x="${WIDTH - PAD.right}" y="${HEIGHT - 12}" text-anchor="end">${escapeHtml(bars.at(-1)!.label)}</text>`
    + '</svg>';
}
