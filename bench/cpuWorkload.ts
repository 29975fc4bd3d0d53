// A child process of `npm run bench -- --cpu-floor`: a fixed amount of the delegate's kind of work (JSON.parse,
// gzip, SHA-256 of list-page-like text), on the core it is pinned to. Run with the cluster's core idle and
// busy, it shows how much the CPU seconds measured on one core depend on what the other core does.
// Prints one JSON line: { cpuMs, wallMs }.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const ROUNDS = 60;

const item = (i: number) => ({
  metadata: { name: `cm-${i}`, namespace: 'tenant-00001', labels: { app: 'search', team: 'team-1' } },
  data: { 'application.properties': Array.from({ length: 15 }, (_, k) => `search.setting${k}=${((i * 7919 + k * 104729) % 1e9).toString(36)}`).join('\n') },
});
const page = Buffer.from(JSON.stringify({ kind: 'ConfigMapList', items: Array.from({ length: 500 }, (_, i) => item(i)) }));
const text = page.toString('utf8');

const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let r = 0; r < ROUNDS; r++) {
  JSON.parse(text);
  gzipSync(page, { level: 3 });
  createHash('sha256').update(page).digest();
}
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0 })}\n`);
