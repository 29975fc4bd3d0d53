import { AwsReadClient, AwsReadError, countSetItems, jsonCall, jsonError, queryCall, resolveEndpoint, restJsonGet, xmlError } from '../../../lib/aws/lookup';

const credentials = () => Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
interface Sent { url: string; method: string; headers: Record<string, string>; body?: string }

function client(service: 'iam' | 'ecr' | 'efs' | 'ec2', answers: Response[], sent: Sent[], endpoint = 'http://127.0.0.1:5000'): AwsReadClient {
  const fakeFetch = ((url: URL, init: { method: string; headers: Record<string, string>; body?: string }) => {
    sent.push({ url: String(url), method: init.method, headers: init.headers, ...(init.body !== undefined ? { body: init.body } : {}) });
    return Promise.resolve(answers.shift()!);
  }) as unknown as typeof fetch;
  return new AwsReadClient({ service, region: 'us-west-2', credentials, endpoint, fetch: fakeFetch });
}

describe('the lookups\' wire protocols', () => {
  it('Query: a signed form POST; the error named by its <Code>, as the SDK names it', async () => {
    const sent: Sent[] = [];
    const iam = client('iam', [new Response('<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>Role x not found</Message></Error></ErrorResponse>', { status: 404 })], sent);
    await expect(queryCall(iam, 'GetRole', '2010-05-08', { RoleName: 'x' })).rejects.toMatchObject({ name: 'NoSuchEntity', message: 'Role x not found', $metadata: { httpStatusCode: 404 } });
    expect(sent[0]).toMatchObject({ url: 'http://127.0.0.1:5000/', method: 'POST', body: 'Action=GetRole&Version=2010-05-08&RoleName=x' });
    // IAM is signed for its partition's home region, whatever the lookup's region.
    expect(sent[0]!.headers.authorization).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/iam\/aws4_request/);
  });

  it('JSON: the operation in X-Amz-Target; the error from __type without its namespace', async () => {
    const sent: Sent[] = [];
    const ecr = client('ecr', [new Response(JSON.stringify({ __type: 'com.amazonaws.ecr#RepositoryNotFoundException', message: 'no repo' }), { status: 400 })], sent);
    await expect(jsonCall(ecr, 'AmazonEC2ContainerRegistry_V20150921.DescribeImages', 'application/x-amz-json-1.1', { repositoryName: 'r' }))
      .rejects.toMatchObject({ name: 'RepositoryNotFoundException', message: 'no repo' });
    expect(sent[0]!.headers['x-amz-target']).toBe('AmazonEC2ContainerRegistry_V20150921.DescribeImages');
    expect(sent[0]!.headers.authorization).toMatch(/\/us-west-2\/ecr\/aws4_request/);
  });

  it('REST-JSON: a signed GET with the query; the error from the header when the body names none', async () => {
    const sent: Sent[] = [];
    const efs = client('efs', [new Response('{"FileSystems":[{"FileSystemId":"fs-1"}]}', { status: 200 }), new Response('', { status: 404, headers: { 'x-amzn-ErrorType': 'FileSystemNotFound:http://internal' } })], sent);
    expect(await restJsonGet(efs, '/2015-02-01/file-systems', { FileSystemId: 'fs-1' })).toEqual({ FileSystems: [{ FileSystemId: 'fs-1' }] });
    expect(sent[0]).toMatchObject({ url: 'http://127.0.0.1:5000/2015-02-01/file-systems?FileSystemId=fs-1', method: 'GET' });
    await expect(restJsonGet(efs, '/2015-02-01/file-systems', { FileSystemId: 'fs-2' })).rejects.toMatchObject({ name: 'FileSystemNotFound' });
  });

  it('retries the service\'s 5xx and throttling, never an answer about the resource', async () => {
    const sent: Sent[] = [];
    const ec2 = client('ec2', [
      new Response('<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow</Message></Error></Errors></Response>', { status: 503 }),
      new Response('<DescribeVolumesResponse><volumeSet><item><volumeId>vol-1</volumeId></item></volumeSet></DescribeVolumesResponse>', { status: 200 }),
      new Response('<Response><Errors><Error><Code>InvalidVolume.NotFound</Code><Message>gone</Message></Error></Errors></Response>', { status: 400 }),
    ], sent);
    expect(countSetItems(await queryCall(ec2, 'DescribeVolumes', '2016-11-15', { 'VolumeId.1': 'vol-1' }), 'volumeSet')).toBe(1);
    await expect(queryCall(ec2, 'DescribeVolumes', '2016-11-15', { 'VolumeId.1': 'vol-2' })).rejects.toMatchObject({ name: 'InvalidVolume.NotFound' });
    expect(sent).toHaveLength(3);
  });

  it('counts a set\'s own items, not the items nested in them', () => {
    const xml = `<R><volumeSet><item><volumeId>vol-1</volumeId><attachmentSet><item><instanceId>i-1</instanceId></item></attachmentSet></item>
      <item><volumeId>vol-2</volumeId><attachmentSet/></item></volumeSet></R>`;
    expect(countSetItems(xml, 'volumeSet')).toBe(2);
    expect(countSetItems('<R><subnetSet/></R>', 'subnetSet')).toBe(0);
  });

  it('parses error answers of each shape', () => {
    expect(xmlError(403, new Headers(), '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no &amp; never</Message></Error></Errors></Response>'))
      .toMatchObject({ name: 'UnauthorizedOperation', message: 'no & never' });
    expect(xmlError(404, new Headers(), '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n <Error>\n  <Code>NoSuchEntity</Code>\n  <Message><![CDATA[Role x not found]]></Message>\n </Error>\n</ErrorResponse>'))
      .toMatchObject({ name: 'NoSuchEntity', message: 'Role x not found' });
    expect(xmlError(500, new Headers(), 'oops')).toBeInstanceOf(AwsReadError);
    expect(jsonError(400, new Headers({ 'x-amzn-errortype': 'AccessDeniedException' }), '{"message":"denied"}')).toMatchObject({ name: 'AccessDeniedException', message: 'denied' });
    expect(jsonError(502, new Headers(), '<html>bad gateway</html>')).toMatchObject({ name: 'HTTP502' });
  });

  it('resolves each service\'s endpoint per partition, IAM\'s globally', () => {
    expect(resolveEndpoint('ecr', 'eu-west-1')).toEqual({ endpoint: new URL('https://api.ecr.eu-west-1.amazonaws.com/'), signingRegion: 'eu-west-1' });
    expect(resolveEndpoint('efs', 'cn-north-1').endpoint.href).toBe('https://elasticfilesystem.cn-north-1.amazonaws.com.cn/');
    expect(resolveEndpoint('iam', 'us-gov-east-1')).toEqual({ endpoint: new URL('https://iam.us-gov.amazonaws.com/'), signingRegion: 'us-gov-west-1' });
    expect(resolveEndpoint('sqs', 'us-west-2', 'http://127.0.0.1:5000').endpoint.href).toBe('http://127.0.0.1:5000/');
  });
});
