// How every command's result leaves the CLI (kubectl, Velero and AWS CLI conventions): the result on stdout
// in the format asked for (`-o table|json|yaml`, `--json` an alias of `-o json`), everything else on
// stderr. A failure's table is the error and its fix, on stderr; as JSON or YAML the response itself is the
// result, on stdout, for scripts. New commands only bring a renderer, or use the generic one.
import { stringify } from 'yaml';
import type { DelegateAction } from '../../lib/events';
import type { DelegateResponse, OwnResponse } from '../actions';
import { CliInputError } from './errors';
import { exitCodeOf, type ExitCode, type ExitView } from './exitCodes';
import { colorsFor, type Colors } from './format';
import { renderFailure, renderSummary, type FailureView } from './render';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Lays a response that is not FAILED out for people; R is the response it reads (any, for renderSummary). */
export type Renderer<R = DelegateResponse> = (response: R, c: Colors) => string;

/**
 * `action`'s renderer, for any response: its own page for the action's own answer, the generic one for
 * anything else (a deployed delegate of another version answering another action). FAILED responses never
 * reach a renderer: writeResult prints them with renderFailure.
 */
export function rendererFor<A extends DelegateAction>(action: A, render: Renderer<OwnResponse<A>>): Renderer {
  return (response, c) => (isOwnResponse(response, action) ? render(response, c) : renderSummary(response, c));
}

/** The action's own answer (not one of the failure shapes, whose status is always FAILED). */
function isOwnResponse<A extends DelegateAction>(response: DelegateResponse, action: A): response is OwnResponse<A> {
  return response.action === action && response.status !== 'FAILED';
}

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

/** What the output layer reads of any response (a DelegateResponse is one): its exit code and failure page. */
export type ResponseView = ExitView & FailureView;

/**
 * Writes a response as `format` and returns its exit code. `hints` are said on stderr after a failure's
 * table (the flag that was probably missing); they are for people, so never in JSON or YAML. `render` lays
 * out R when it is not FAILED: rendererFor gives a command's own page.
 */

export function writeResult<R extends ResponseView>(
  response: R, format: OutputFormat, streams: Streams, render: Renderer<R> = renderSummary, hints: readonly string[] = [],
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
