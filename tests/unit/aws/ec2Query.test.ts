import { Ec2Query, Ec2QueryError, parseEc2Answer } from '../../../lib/aws/lookup';

const credentials = () => Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });

describe('parseEc2Answer', () => {
  it('counts the set\'s own items, not the items nested in them', () => {
    const xml = `<DescribeVolumesResponse><volumeSet><item><volumeId>vol-1</volumeId><attachmentSet><item><instanceId>i-1</instanceId></item></attachmentSet></item>
      <item><volumeId>vol-2</volumeId><attachmentSet/></item></volumeSet></DescribeVolumesResponse>`;
    expect(parseEc2Answer(200, xml, 'volumeSet')).toBe(2);
    expect(parseEc2Answer(200, '<DescribeSubnetsResponse><subnetSet/></DescribeSubnetsResponse>', 'subnetSet')).toBe(0);
  });

  it('names an error by its code, as the SDK would', () => {
    const err = parseEc2Answer(400, '<Response><Errors><Error><Code>InvalidVolume.NotFound</Code><Message>The volume \'vol-1\' does not exist.</Message></Error></Errors></Response>', 'volumeSet');
    expect(err).toBeInstanceOf(Ec2QueryError);
    expect(err).toMatchObject({ name: 'InvalidVolume.NotFound', message: "The volume 'vol-1' does not exist.", $metadata: { httpStatusCode: 400 } });
    expect(parseEc2Answer(403, '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message></Error></Errors></Response>', 'volumeSet')).toMatchObject({ name: 'UnauthorizedOperation' });
  });
});

describe('Ec2Query', () => {
  it('sends a SigV4-signed Query POST to the endpoint given, and retries EC2\'s 5xx', async () => {
    const requests: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
    const answers = [new Response('<Response><Errors><Error><Code>InternalError</Code><Message>x</Message></Error></Errors></Response>', { status: 500 }),
      new Response('<DescribeVolumesResponse><volumeSet><item><volumeId>vol-1</volumeId></item></volumeSet></DescribeVolumesResponse>', { status: 200 })];
    const fakeFetch = ((url: URL, init: { headers: Record<string, string>; body: string }) => {
      requests.push({ url: String(url), headers: init.headers, body: init.body });
      return Promise.resolve(answers.shift()!);
    }) as unknown as typeof fetch;
    const ec2 = new Ec2Query({ region: 'us-west-2', credentials, endpoint: 'http://127.0.0.1:5000', fetch: fakeFetch });
    expect(await ec2.countItems('DescribeVolumes', { 'VolumeId.1': 'vol-1' }, 'volumeSet')).toBe(1);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.url).toBe('http://127.0.0.1:5000/');
    expect(requests[0]!.body).toBe('Action=DescribeVolumes&Version=2016-11-15&VolumeId.1=vol-1');
    expect(requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/ec2\/aws4_request/);
  });

  it('does not retry an answer about the resource', async () => {
    let calls = 0;
    const fakeFetch = (() => {
      calls++;
      return Promise.resolve(new Response('<Response><Errors><Error><Code>InvalidVolume.NotFound</Code><Message>gone</Message></Error></Errors></Response>', { status: 400 }));
    }) as unknown as typeof fetch;
    const ec2 = new Ec2Query({ region: 'cn-north-1', credentials, fetch: fakeFetch });
    await expect(ec2.countItems('DescribeVolumes', { 'VolumeId.1': 'vol-1' }, 'volumeSet')).rejects.toMatchObject({ name: 'InvalidVolume.NotFound' });
    expect(calls).toBe(1);
  });
});
