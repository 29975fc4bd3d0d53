// `--function <name|arn>`: the CLI runs the action on the deployed delegate through lambda:InvokeFunction
// instead of locally. From a laptop a private cluster's endpoint is unreachable; the deployed function sits
// in the cluster's subnets and reaches it.
import { InvokeCommand, LambdaClient, LambdaServiceException } from '@aws-sdk/client-lambda';
import type { DelegateResponse } from '../actions';

/** Lambda runs a function for at most 15 minutes; the answer may take that long and a little more. */
export const REMOTE_INVOKE_TIMEOUT_MS = 16 * 60_000;

/** The deployed delegate could not be invoked, or it failed without answering: the message says which and the fix. */
export class RemoteInvokeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RemoteInvokeError';
  }
}

export interface RemoteInvokeOptions {
  /** Region of the function; an ARN's own region wins. @default AWS_REGION (the SDK's chain) */
  region?: string;
}

/**
 * Invokes the deployed delegate synchronously with `event` and returns its response. Sent once: a retried
 * invocation would run a backup (and its retention) twice, so a lost answer is an error to read, not to repeat.
 */
export async function invokeDeployedDelegate(functionName: string, event: Record<string, unknown>, options: RemoteInvokeOptions = {}): Promise<DelegateResponse> {
  const region = regionOfArn(functionName) ?? options.region;
  const client = new LambdaClient({
    ...(region ? { region } : {}),
    maxAttempts: 1,
    requestHandler: { requestTimeout: REMOTE_INVOKE_TIMEOUT_MS },
  });
  try {
    const out = await client.send(new InvokeCommand({
      FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)),
    }));
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (out.FunctionError) throw new RemoteInvokeError(`${functionName} failed without answering (${out.FunctionError}): ${functionErrorText(text)}`);
    const response = parseResponse(text);
    if (!response) throw new RemoteInvokeError(`${functionName} answered with something that is not a delegate response: ${text.slice(0, 200)}`);
    return response;
  } catch (err) {
    if (err instanceof RemoteInvokeError) throw err;
    throw new RemoteInvokeError(invokeFailureText(functionName, err), { cause: err });
  } finally {
    client.destroy();
  }
}

/** The region of a function ARN (`arn:aws:lambda:<region>:<account>:function:<name>`), undefined for a name. */
export function regionOfArn(functionName: string): string | undefined {
  const match = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:/.exec(functionName);
  return match?.[1];
}

function parseResponse(text: string): DelegateResponse | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isDelegateResponse(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The delegate's answer names its action: that is all the CLI checks of a deployed delegate's JSON, which
 * the delegate's own code (responses.ts) shaped.
 */
function isDelegateResponse(value: unknown): value is DelegateResponse {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'action' in value && typeof value.action === 'string';
}

/** Lambda's error payload `{errorType, errorMessage}`, as one line. */
function functionErrorText(text: string): string {
  try {
    const value = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof value.errorMessage === 'string') return typeof value.errorType === 'string' ? `${value.errorType}: ${value.errorMessage}` : value.errorMessage;
  } catch {
    // not JSON: said as it is
  }
  return text.slice(0, 500) || 'no error payload';
}

/** What went wrong calling Lambda, with what to do about it. */
function invokeFailureText(functionName: string, err: unknown): string {
  const name = err instanceof LambdaServiceException ? err.name : err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  switch (name) {
    case 'ResourceNotFoundException':
      return `no function ${functionName} in this account and region: give the stack's FunctionName or FunctionArn output (and --region)`;
    case 'AccessDeniedException':
      return `not allowed to invoke ${functionName}: your credentials need lambda:InvokeFunction on it (${message})`;
    case 'TooManyRequestsException':
      return `${functionName} is throttled (too many concurrent invocations): try again shortly (${message})`;
    case 'TimeoutError':
      return `no answer from ${functionName} within ${REMOTE_INVOKE_TIMEOUT_MS / 60_000} minutes: the invocation may still have run; look at its logs before running it again`;
    default:
      return `invoking ${functionName} failed: ${name ? `${name}: ` : ''}${message}`;
  }
}
