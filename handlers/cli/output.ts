// How every command's result leaves the CLI (kubectl, Velero and AWS CLI conventions): the result on stdout
// in the format asked for (`-o table|json|yaml`, `--json` an alias of `-o json`), everything else on
// stderr. A failure's table is the error and its fix, on stderr; as JSON or YAML the response itself is the
// result, on stdout, for scripts. New commands only bring a renderer, or use the generic one.
import { stringify } from 'yaml';
import type { DelegateResponse } from '../delegate';
import { CliInputError } from './errors';
import { exitCodeOf, type ExitCode } from './exitCodes';
import { colorsFor, type Colors } from './format';
import { renderFailure, renderSummary } from './render';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Lays a successful response out for people. */
export type Renderer = (response: DelegateResponse, c: Colors) => string;

/** `-o` wins over `--json`. @default 'table' */
export function outputFormatOf(flags: { output?: unknown; json?: unknown }): OutputFormat {
  if (typeof flags.output === 'string') {
    const f = flags.output.toLowerCase();
    if ((OUTPUT_FORMATS as readonly string[]).includes(f)) return f as OutputFormat;
    throw new CliInputError(`-o/--output ${JSON.stringify(flags.output)} is not a format: use one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return flags.json === true ? 'json' : 'table';
}

/** Where the text goes. */
export interface Streams {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * Writes a response as `format` and returns its exit code. `hints` are said on stderr after a failure's
 * table (the flag that was probably missing); they are for people, so never in JSON or YAML.
 */
export function writeResult(
  response: DelegateResponse, format: OutputFormat, streams: Streams, render: Renderer = renderSummary, hints: readonly string[] = [],
): ExitCode {
  const code = exitCodeOf(response);
  if (format === 'json') {
    streams.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
  } else if (format === 'yaml') {
    streams.stdout.write(stringify(response, { lineWidth: 0 }));
  } else if (response.status === 'FAILED') {
    const text = [renderFailure(response, colorsFor(streams.stderr)), ...hints.map((h) => `hint: ${h}`)].join('\n');
    streams.stderr.write(`${text}\n`);
  } else {
    streams.stdout.write(`${render(response, colorsFor(streams.stdout))}\n`);
  }
  return code;
}
