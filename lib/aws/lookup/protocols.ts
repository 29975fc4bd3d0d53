// The three wire protocols of the lookups' services, reduced to what readiness reads: an answer, or an
// error code. Query (IAM, SNS, EC2): a form POST, XML back. JSON (ECR, ACM, SQS): a POST naming its operation
// in X-Amz-Target. REST-JSON (EFS): a GET on the resource's collection.
import { AwsReadError, type AwsReadClient } from './AwsReadClient';

/** A Query call (IAM, SNS, EC2); resolves with the answer's XML. */
export function queryCall(client: AwsReadClient, action: string, version: string, params: Record<string, string>, signal?: AbortSignal): Promise<string> {
  const body = new URLSearchParams({ Action: action, Version: version, ...params }).toString();
  return client.send({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body }, xmlError, signal);
}

/** A JSON-protocol call (ECR, ACM, SQS); resolves with the parsed answer. */
export async function jsonCall(
  client: AwsReadClient, target: string, contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1', input: Record<string, unknown>, signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const text = await client.send({ method: 'POST', headers: { 'content-type': contentType, 'x-amz-target': target }, body: JSON.stringify(input) }, jsonError, signal);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** A REST-JSON GET (EFS); resolves with the parsed answer. */
export async function restJsonGet(client: AwsReadClient, path: string, query: Record<string, string>, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const text = await client.send({ method: 'GET', path, query }, jsonError, signal);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** `<Code>` and `<Message>` of a Query error answer (EC2's `<Response><Errors>` and IAM's/SNS's `<ErrorResponse>` alike). */
export function xmlError(status: number, _headers: Headers, xml: string): AwsReadError {
  const code = /<Code>\s*([^<\s]+)\s*<\/Code>/.exec(xml)?.[1] ?? `HTTP${status}`;
  // IAM wraps its message in CDATA; others escape it.
  const raw = /<Message>(?:\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*|([^<]*))<\/Message>/.exec(xml);
  const message = raw ? (raw[1] ?? unescapeXml(raw[2] ?? '')).trim() : `HTTP ${status}`;
  return new AwsReadError(code, message, status);
}

const XML_ENTITIES: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&amp;': '&' };

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (e) => XML_ENTITIES[e] ?? e);
}

/** The error code of a JSON or REST-JSON answer: `__type` or `code` in the body, else the x-amzn-ErrorType header; namespaces dropped. */
export function jsonError(status: number, headers: Headers, text: string): AwsReadError {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page): the header or the status names it.
  }
  const raw = [body.__type, body.code, body.ErrorCode, headers.get('x-amzn-errortype')].find((v): v is string => typeof v === 'string' && v !== '') ?? `HTTP${status}`;
  const code = raw.split(':')[0]!.split('#').at(-1)!;
  const message = [body.message, body.Message].find((v): v is string => typeof v === 'string') ?? text.slice(0, 200);
  return new AwsReadError(code, message, status);
}

/** How many items the Query answer's `<setName>` holds at its own level (a volume's `<attachmentSet>` items are not counted). */
export function countSetItems(xml: string, setName: string): number {
  if (new RegExp(`<${setName}\\s*/>`).test(xml)) return 0;
  const open = xml.indexOf(`<${setName}>`);
  const close = xml.lastIndexOf(`</${setName}>`);
  if (open < 0 || close < open) throw new AwsReadError('UnexpectedAnswer', `no <${setName}> in the answer`, 200);
  let depth = 0;
  let count = 0;
  const tags = /<(\/?)item>/g;
  tags.lastIndex = open;
  for (let m = tags.exec(xml); m && m.index < close; m = tags.exec(xml)) {
    if (m[1] === '/') depth--;
    else if (depth++ === 0) count++;
  }
  return count;
}
