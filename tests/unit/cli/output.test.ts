import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliInputError } from '../../../handlers/cli/errors';
import { EXIT, EXIT_CODE_MEANINGS, exitCodeOf, type ExitView } from '../../../handlers/cli/exitCodes';
import { outputFormatOf, writeResult, type Streams } from '../../../handlers/cli/output';
import { progressLine } from '../../../handlers/cli/progress';
import { renderSummary } from '../../../handlers/cli/render';
import { colorsFor } from '../../../handlers/cli/format';
import type { InvalidInputResponse } from '../../../handlers/actions';

// The layer every command's result goes through (issue 27): where it is written, in which format, with
// which exit code.
const plain = colorsFor({ isTTY: false });

function streams(): Streams & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
}

// Fewer fields than a backup answers today: the output layer reads any response.
const backup = {
  action: 'backup', status: 'COMPLETED', clusterName: 'prod', recoveryPointId: '20261207T031500Z-ab12', location: 's3://b/eks/prod/20261207T031500Z-ab12/',
  objects: 197, bytes: 48_213, warnings: ['metrics.k8s.io/v1beta1: discovery failed: 503'], unreadable: [], durationMs: 544,
};
const notFound: InvalidInputResponse<'restore'> = {
  action: 'restore', status: 'FAILED', reason: 'invalid-input', notFound: 'recovery-point', durationMs: 12,
  error: 'no recovery point eks/dr/latest', problems: ['no recovery point eks/dr/latest'],
};

describe('output format', () => {
  it.each([
    [{}, 'table'], [{ json: true }, 'json'], [{ output: 'yaml' }, 'yaml'], [{ output: 'JSON' }, 'json'], [{ output: 'table', json: true }, 'table'],
  ])('%j -> %s', (flags, format) => {
    expect(outputFormatOf(flags)).toBe(format);
  });

  it('refuses an unknown format, naming the flag and the formats', () => {
    expect(() => outputFormatOf({ output: 'xml' })).toThrow(CliInputError);
    expect(() => outputFormatOf({ output: 'xml' })).toThrow('-o/--output "xml" is not a format: use one of table, json, yaml');
  });
});

describe('writeResult', () => {
  it('json and yaml: the response, whole, on stdout and nothing on stderr', () => {
    for (const format of ['json', 'yaml'] as const) {
      const s = streams();
      expect(writeResult(backup, format, s)).toBe(EXIT.OK);
      const text = s.out.join('');
      expect(format === 'json' ? JSON.parse(text) : parseYaml(text)).toEqual(backup);
      expect(s.err).toEqual([]);
    }
  });

  it('a failure as a table goes to stderr with its hints; stdout stays empty', () => {
    const s = streams();
    expect(writeResult(notFound, 'table', s, renderSummary, ['name the source cluster with --source-cluster <name>'])).toBe(EXIT.NOT_FOUND);
    expect(s.out).toEqual([]);
    expect(s.err.join('')).toBe('FAILED: no recovery point eks/dr/latest\nhint: name the source cluster with --source-cluster <name>\n');
  });

  it('a failure as json is the result scripts read: stdout, and no hint', () => {
    const s = streams();
    expect(writeResult(notFound, 'json', s, renderSummary, ['a hint'])).toBe(EXIT.NOT_FOUND);
    expect(JSON.parse(s.out.join(''))).toEqual(notFound);
    expect(s.err).toEqual([]);
  });

  it('a command without a renderer of its own prints every field readably', () => {
    expect(renderSummary(backup, plain).split('\n')).toEqual([
      'COMPLETED: backup',
      'Cluster name      prod',
      'Recovery point id 20261207T031500Z-ab12',
      'Location          s3://b/eks/prod/20261207T031500Z-ab12/',
      'Objects           197',
      'Bytes             48.2 KB',
      'Warnings          metrics.k8s.io/v1beta1: discovery failed: 503',
      'Duration ms       544ms',
    ]);
  });

  it('lists of objects become a table, capped, and nested objects a line per field', () => {
    const unreadable = Array.from({ length: 22 }, (_, i) => ({ resource: `r${i}`, reason: 'forbidden' }));
    const out = renderSummary({ action: 'readiness', status: 'PARTIAL', unreadable, counts: { ready: 3, missing: 1 } }, plain);
    expect(out).toContain('Unreadable:\nRESOURCE  REASON\nr0        forbidden');
    expect(out).toContain('(2 more: -o json lists them all)');
    expect(out).toContain('Counts: ready     3\nCounts: missing   1');
  });
});

describe('exit codes', () => {
  it.each<[string, ExitView, number]>([
    ['wrong cluster, any command', { action: 'backup', status: 'FAILED', reason: 'invalid-input', notFound: 'cluster' }, EXIT.WRONG_CLUSTER],
    ['wrong cluster, restore', { action: 'restore', status: 'FAILED', reason: 'invalid-input', notFound: 'cluster' }, EXIT.WRONG_CLUSTER],
    ['unknown recovery point, describe', { action: 'describe-recovery-point', status: 'FAILED', reason: 'not-found', notFound: 'recovery-point' }, EXIT.NOT_FOUND],
    ['unknown recovery point, restore', notFound, EXIT.NOT_FOUND],
    ['a list with nothing in it', { action: 'list-recovery-points', status: 'OK', recoveryPoints: [], incomplete: [] }, EXIT.NOT_FOUND],
    ['a list with only incomplete ones', { action: 'list-recovery-points', status: 'OK', recoveryPoints: [], incomplete: [{}] }, EXIT.OK],
    ['bad input', { action: 'backup', status: 'FAILED', reason: 'invalid-input' }, EXIT.BAD_INPUT],
    ['an operational failure', { action: 'backup', status: 'FAILED', reason: 'error' }, EXIT.FAILED],
    ['no access', { action: 'check-access', status: 'NO_ACCESS' }, EXIT.FAILED],
    ['a partial restore', { action: 'restore', status: 'PARTIAL' }, EXIT.PARTIAL],
  ])('%s', (_what, response, code) => {
    expect(exitCodeOf(response)).toBe(code);
  });

  it('docs/cli.md lists every code with the meaning --help gives it', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/cli.md'), 'utf8');
    for (const { code, meaning } of EXIT_CODE_MEANINGS) expect(doc).toContain(`| ${code} | ${meaning} |`);
  });
});

describe('progress line on a TTY', () => {
  function tty() {
    const writes: string[] = [];
    const stream = Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, { isTTY: true, columns: 40, write: (s: string) => writes.push(s) > 0 });
    return { stream, writes };
  }

  it('redraws with a carriage return and erase-line only, never saving or restoring the cursor', () => {
    const { stream, writes } = tty();
    let t = 0;
    const line = progressLine(stream, () => t);
    line.update({ stage: 'backup', typesDone: 1, typesTotal: 9, objects: 10, bytes: 2000 });
    t += 50;
    line.update({ stage: 'backup', typesDone: 2, typesTotal: 9, objects: 20, bytes: 4000 });
    t += 200;
    line.update({ stage: 'backup', typesDone: 3, typesTotal: 9, objects: 30, bytes: 6000 });
    line.stop();
    expect(writes).toEqual([
      '\rbackup: 1/9 types, 10 objects, 2.0 KB\x1b[K',
      '\rbackup: 3/9 types, 30 objects, 6.0 KB\x1b[K',
      '\r\x1b[K',
    ]);
    // DECSC/DECRC and SCP/RCP: the saved cursor that overprinted the result.
    for (const save of ['\x1b7', '\x1b8', '\x1b[s', '\x1b[u']) expect(writes.join('')).not.toContain(save);
  });

  it('a log line meanwhile: the line is erased, the log written, the line drawn again; after stop nothing is redrawn', () => {
    const { stream, writes } = tty();
    const line = progressLine(stream, () => 0);
    line.update({ stage: 'verify', bytes: 1_000_000 });
    line.interject('{"level":"WARN"}\n');
    line.stop();
    line.interject('late\n');
    expect(writes).toEqual(['\rverify: 1.0 MB read\x1b[K', '\r\x1b[K', '{"level":"WARN"}\n', '\rverify: 1.0 MB read\x1b[K', '\r\x1b[K', 'late\n']);
  });

  it('keeps the line shorter than the terminal, so one carriage return erases it', () => {
    const { stream, writes } = tty();
    progressLine(stream, () => 0).update({ stage: 'restore', tier: 'customresourcedefinitions.apiextensions.k8s.io', objects: 1 });
    expect(writes[0]!.replace('\r', '').replace('\x1b[K', '').length).toBe(39);
  });
});
