// A local stand-in for the Lambda Invoke API (POST /2015-03-31/functions/<name>/invocations), so that the
// CLI's `--function` is tested through the real AWS SDK Lambda client against the real bundled handler:
// each invocation runs dist/delegate/index.js in a fresh process with the function's own environment, as
// Lambda would (scripts/invoke-bundle.cjs), and answers the way Lambda does: 200 with the response as the
// payload, `X-Amz-Function-Error: Unhandled` with {errorType, errorMessage} when the function failed,
// 404 ResourceNotFoundException for a function it does not have. moto's Lambda needs Docker, which this
// machine has not.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One deployed function: its name (an ARN naming it is accepted too) and its environment. */
export interface LocalFunction {
  name: string;
  env: Record<string, string>;
}

/** What the server was asked, for tests to assert on. */
export interface InvocationRecord {
  functionName: string;
  event: unknown;
  /** The SigV4 service the request was signed for (`lambda` from the SDK). */
  signedService: string | undefined;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export class LambdaInvokeServer {
  readonly invocations: InvocationRecord[] = [];
  readonly #functions = new Map<string, LocalFunction>();
  readonly #node: string;
  readonly #invokeScript: string;
  #server: Server | undefined;

  /** `node` runs the bundle (the Lambda runtime's Node when the tests have it); `invokeScript` is scripts/invoke-bundle.cjs. */
  constructor(functions: LocalFunction[], options: { node: string; invokeScript: string }) {
    for (const f of functions) this.#functions.set(f.name, f);
    this.#node = options.node;
    this.#invokeScript = options.invokeScript;
  }

  /** Listens on 127.0.0.1 and a free port; resolves with the endpoint URL (for AWS_ENDPOINT_URL_LAMBDA). */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.#handle(req, res));
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = INVOKE_PATH.exec(new URL(req.url ?? '/', 'http://local').pathname);
    if (req.method !== 'POST' || !match) return send(res, 404, { 'x-amzn-errortype': 'UnknownOperationException' }, { message: `no such operation: ${req.method} ${req.url}` });
    const requested = decodeURIComponent(match[1] ?? '');
    const fn = this.#functions.get(requested.replace(/^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:/, ''));
    const signedService = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    let event: unknown;
    try {
      event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { 'x-amzn-errortype': 'InvalidRequestContentException' }, { message: 'Could not parse request body into json' });
    }
    this.invocations.push({ functionName: requested, event, signedService });
    if (!fn) {
      return send(res, 404, { 'x-amzn-errortype': 'ResourceNotFoundException' }, { Type: 'User', message: `Function not found: ${requested}` });
    }
    const outcome = await this.#run(fn, event);
    if ('response' in outcome) return send(res, 200, {}, outcome.response);
    return send(res, 200, { 'x-amz-function-error': 'Unhandled' }, { errorType: 'Runtime.ExitError', errorMessage: outcome.error });
  }

  /** The bundle in a fresh process with the function's environment only (nothing of the test's own). */
  async #run(fn: LocalFunction, event: unknown): Promise<{ response: unknown } | { error: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-invoke-'));
    try {
      const eventFile = join(dir, 'event.json');
      const responseFile = join(dir, 'response.json');
      writeFileSync(eventFile, JSON.stringify(event));
      writeFileSync(responseFile, '');
      const env = { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_NAME: fn.name, ...fn.env };
      const child = spawn(this.#node, [this.#invokeScript, eventFile, '--response-file', responseFile], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString('utf8')).slice(-2000);
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      const text = readFileSync(responseFile, 'utf8');
      if (code === 0 && text !== '') return { response: JSON.parse(text) as unknown };
      // Node prints the error's first line, then a stack and a code frame: the first line says what broke.
      const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
      const cause = lines.find((l) => /Error\b/.test(l)) ?? lines.at(-1) ?? 'no output';
      return { error: `Runtime exited with error: exit status ${String(code)}: ${cause}` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': `local-${Date.now()}`, ...headers });
  res.end(JSON.stringify(body));
}
