import type { Socket } from 'node:net';
import {
  runPreflight, isPrivateAddress, serviceHost, PreflightOptionsError, type Resolver, type TcpConnector,
  type PreflightReport, type TargetReport,
} from '../../../lib/preflight';
import {
  closedPort, makeSelfSignedCertificate, startSilentListener, startTlsListener, type TestCertificate, type TestListener,
} from './testServers';

const REGION = 'us-east-1';
const CLUSTER_HOST = 'abcdef0123456789.gr7.us-east-1.eks.amazonaws.com';
const SERVICE_HOSTS = ['eks.us-east-1.amazonaws.com', 'sts.us-east-1.amazonaws.com', 's3.us-east-1.amazonaws.com'];

/** Every name resolves to loopback, as an interface endpoint's private DNS would resolve to the VPC. */
const toLoopback: Resolver = async () => ['127.0.0.1'];

/** Resolves the listed names to the given addresses, and anything else like getaddrinfo does for a missing name. */
function resolverFor(table: Record<string, string[]>): Resolver {
  return async (host) => {
    const found = table[host];
    if (found) return found;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
  };
}

/** A connector that never connects (a dropped SYN), without sending anything anywhere. */
const neverConnects: TcpConnector = (_address, _port, signal) =>
  new Promise<Socket>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));

function target(report: PreflightReport, id: TargetReport['id']): TargetReport {
  const found = report.targets.find((t) => t.id === id);
  if (!found) throw new Error(`no ${id} target in ${JSON.stringify(report)}`);
  return found;
}

let serverCert: TestCertificate;
let otherCa: TestCertificate;
let tlsListener: TestListener;

beforeAll(async () => {
  serverCert = makeSelfSignedCertificate([...SERVICE_HOSTS, CLUSTER_HOST, 'localhost']);
  otherCa = makeSelfSignedCertificate(['unrelated.example']);
  tlsListener = await startTlsListener(serverCert);
});
afterAll(async () => {
  await tlsListener.close();
});

describe('runPreflight against local listeners', () => {
  it('resolves, connects and completes TLS with every target when all of them answer', async () => {
    const report = await runPreflight({
      region: REGION, clusterEndpoint: `https://${CLUSTER_HOST}`, clusterCa: serverCert.cert, serviceCa: serverCert.cert,
      inVpc: true, resolver: toLoopback, port: tlsListener.port,
    });
    expect(report.ok).toBe(true);
    expect(report.targets.map((t) => [t.id, t.host])).toEqual([
      ['eks', SERVICE_HOSTS[0]], ['sts', SERVICE_HOSTS[1]], ['s3', SERVICE_HOSTS[2]], ['cluster', CLUSTER_HOST],
    ]);
    for (const t of report.targets) {
      expect(t).toMatchObject({
        reachable: true, port: tlsListener.port,
        addresses: [{ address: '127.0.0.1', private: true }],
        dns: { ok: true }, tcp: { ok: true, address: '127.0.0.1' }, tls: { ok: true },
      });
      expect(t.hint).toBeUndefined();
      expect(t.tcp?.ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('uses the system resolver and TCP by default (localhost via /etc/hosts)', async () => {
    const report = await runPreflight({
      region: REGION, clusterEndpoint: `https://localhost:${tlsListener.port}`, clusterCa: serverCert.cert,
      hostOverrides: { eks: `localhost:${tlsListener.port}`, sts: `https://localhost:${tlsListener.port}`, s3: `localhost:${tlsListener.port}` },
      serviceCa: serverCert.cert,
    });
    expect(report.targets.map((t) => t.host)).toEqual(['localhost', 'localhost', 'localhost', 'localhost']);
    expect(report.targets.map((t) => t.reachable)).toEqual([true, true, true, true]);
    expect(report.ok).toBe(true);
  });

  it('reports a name that does not resolve, and points at the missing interface endpoint in a VPC', async () => {
    const report = await runPreflight({
      region: REGION, clusterEndpoint: `https://${CLUSTER_HOST}`, clusterCa: serverCert.cert, serviceCa: serverCert.cert,
      inVpc: true, port: tlsListener.port,
      resolver: resolverFor({ [SERVICE_HOSTS[0] ?? '']: ['127.0.0.1'], [SERVICE_HOSTS[2] ?? '']: ['127.0.0.1'], [CLUSTER_HOST]: ['127.0.0.1'] }),
    });
    expect(report.ok).toBe(false);
    const sts = target(report, 'sts');
    expect(sts).toMatchObject({ reachable: false, addresses: [], dns: { ok: false, error: 'not-found' } });
    expect(sts.dns.detail).toContain('ENOTFOUND');
    expect(sts.tcp).toBeUndefined();
    expect(sts.hint).toContain('create an interface endpoint com.amazonaws.us-east-1.sts with private DNS');
    expect(target(report, 'eks').reachable).toBe(true);
    expect(target(report, 'cluster').reachable).toBe(true);
  });

  it('reports a refused connection as nothing listening on the port', async () => {
    const port = await closedPort();
    const report = await runPreflight({ region: REGION, resolver: toLoopback, port, serviceCa: serverCert.cert });
    expect(report.ok).toBe(false);
    for (const t of report.targets) {
      expect(t).toMatchObject({ reachable: false, dns: { ok: true }, tcp: { ok: false, error: 'refused', address: '127.0.0.1', port } });
      expect(t.tls).toBeUndefined();
      expect(t.hint).toBe(`Nothing listens on ${port} at 127.0.0.1 (${t.host}): the connection was refused.`);
    }
  });

  it('reports a TLS handshake that never completes as a TLS timeout, within the step limit', async () => {
    const silent = await startSilentListener();
    try {
      const report = await runPreflight({
        region: REGION, resolver: toLoopback, port: silent.port, timeoutMs: 300, serviceCa: serverCert.cert,
      });
      for (const t of report.targets) {
        expect(t).toMatchObject({ reachable: false, tcp: { ok: true }, tls: { ok: false, error: 'timeout' } });
        expect(t.tls?.ms).toBeGreaterThanOrEqual(250);
        expect(t.hint).toMatch(/^TLS handshake failed: .* never answered the handshake/);
      }
      expect(report.durationMs).toBeLessThan(2000);
    } finally {
      await silent.close();
    }
  });

  it('reports a certificate from the wrong CA as a certificate error, distinct from other TLS failures', async () => {
    const report = await runPreflight({
      region: REGION, clusterEndpoint: `https://${CLUSTER_HOST}`, clusterCa: otherCa.cert, resolver: toLoopback,
      port: tlsListener.port, serviceCa: serverCert.cert,
    });
    expect(target(report, 'eks').reachable).toBe(true);
    const cluster = target(report, 'cluster');
    expect(cluster).toMatchObject({ reachable: false, tcp: { ok: true }, tls: { ok: false, error: 'certificate' } });
    expect(cluster.hint).toContain("TLS handshake failed: the cluster endpoint's certificate does not verify against the cluster CA");
    expect(report.ok).toBe(false);
  });

  it('does not trust a service host certificate that only a private CA signed (system roots by default)', async () => {
    const report = await runPreflight({ region: REGION, resolver: toLoopback, port: tlsListener.port });
    const eks = target(report, 'eks');
    expect(eks.tls).toMatchObject({ ok: false, error: 'certificate' });
    expect(eks.tls?.detail).toBe('DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate');
    expect(eks.hint).toBe(`TLS handshake failed: the certificate of ${eks.host}:${tlsListener.port} does not verify ` +
      '(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate); a TLS-intercepting proxy, or a wrong CA?');
  });

  it('reports a certificate for another name as a certificate error', async () => {
    const report = await runPreflight({
      region: REGION, resolver: toLoopback, port: tlsListener.port, serviceCa: serverCert.cert,
      hostOverrides: { eks: 'eks.example.test' },
    });
    expect(target(report, 'eks').tls).toMatchObject({ ok: false, error: 'certificate' });
    expect(target(report, 'eks').tls?.detail).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(target(report, 'sts').reachable).toBe(true);
  });
});

describe('runPreflight time limits', () => {
  it('stops a hung DNS lookup at the overall limit and still answers for every target', async () => {
    const hangs: Resolver = () => new Promise<string[]>(() => undefined);
    const started = performance.now();
    const report = await runPreflight({
      region: REGION, clusterEndpoint: `https://${CLUSTER_HOST}`, resolver: hangs, timeoutMs: 5000, overallTimeoutMs: 300,
    });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(report.ok).toBe(false);
    expect(report.targets).toHaveLength(4);
    for (const t of report.targets) {
      expect(t.dns).toMatchObject({ ok: false, error: 'timeout' });
      expect(t.hint).toContain('DNS lookup');
    }
  });

  it('bounds each step by timeoutMs when the overall limit is far away', async () => {
    const started = performance.now();
    const report = await runPreflight({ region: REGION, resolver: toLoopback, connect: neverConnects, timeoutMs: 200 });
    expect(performance.now() - started).toBeLessThan(1000);
    for (const t of report.targets) expect(t.tcp).toMatchObject({ ok: false, error: 'timeout' });
  });

  it('runs the targets concurrently, so four slow targets take one step limit, not four', async () => {
    const started = performance.now();
    await runPreflight({
      region: REGION, clusterEndpoint: `https://${CLUSTER_HOST}`, resolver: toLoopback, connect: neverConnects, timeoutMs: 300,
    });
    expect(performance.now() - started).toBeLessThan(900);
  });
});

describe('preflight hints for private clusters', () => {
  it('blames a security group or NACL when a private address does not answer', async () => {
    const report = await runPreflight({
      region: REGION, clusterEndpoint: `https://${CLUSTER_HOST}`, inVpc: true, connect: neverConnects, timeoutMs: 100,
      resolver: resolverFor({ ...Object.fromEntries(SERVICE_HOSTS.map((h) => [h, ['10.0.12.7']])), [CLUSTER_HOST]: ['10.0.3.4', '10.0.4.4'] }),
    });
    const cluster = target(report, 'cluster');
    expect(cluster.addresses).toEqual([{ address: '10.0.3.4', private: true }, { address: '10.0.4.4', private: true }]);
    expect(cluster.tcp).toMatchObject({ ok: false, error: 'timeout', address: '10.0.3.4' });
    expect(cluster.hint).toContain('a security group or network ACL does not allow 443');
    expect(target(report, 'sts').hint).toContain("inbound on the endpoint's");
  });

  it('says S3 needs a gateway endpoint or private DNS when it resolves to public addresses in a VPC', async () => {
    const report = await runPreflight({
      region: REGION, inVpc: true, connect: neverConnects, timeoutMs: 100,
      resolver: resolverFor({ [SERVICE_HOSTS[2] ?? '']: ['52.216.1.2', '3.5.0.1'], [SERVICE_HOSTS[0] ?? '']: ['10.0.1.1'], [SERVICE_HOSTS[1] ?? '']: ['10.0.1.2'] }),
    });
    const s3 = target(report, 's3');
    expect(s3.addresses.every((a) => !a.private)).toBe(true);
    expect(s3.hint).toContain('S3 needs a gateway endpoint com.amazonaws.us-east-1.s3');
    expect(s3.hint).toContain('interface endpoint with private DNS names enabled');
  });

  it('says the cluster endpoint is public-only when it resolves to public addresses in a VPC and does not answer', async () => {
    const report = await runPreflight({
      region: REGION, clusterEndpoint: `https://${CLUSTER_HOST}`, inVpc: true, connect: neverConnects, timeoutMs: 100,
      resolver: resolverFor({ [CLUSTER_HOST]: ['54.1.2.3'] }),
    });
    expect(target(report, 'cluster').hint).toContain('The cluster endpoint is public-only; enable private endpoint access');
  });

  it('does not blame VPC endpoints when the function is not in a VPC', async () => {
    const report = await runPreflight({ region: REGION, inVpc: false, resolver: resolverFor({}) });
    expect(target(report, 'eks').hint).toBe('eks.us-east-1.amazonaws.com does not resolve: check the region name and the DNS configuration.');
  });
});

describe('preflight targets and addresses', () => {
  it('names the China partition hosts with .amazonaws.com.cn', () => {
    expect(serviceHost('sts', 'cn-north-1')).toBe('sts.cn-north-1.amazonaws.com.cn');
    expect(serviceHost('s3', 'eu-west-1')).toBe('s3.eu-west-1.amazonaws.com');
  });

  it.each([
    ['10.1.2.3', true], ['172.16.0.1', true], ['172.31.255.255', true], ['172.32.0.1', false], ['192.168.1.1', true],
    ['100.64.0.1', true], ['100.127.255.1', true], ['100.128.0.1', false], ['52.216.1.2', false], ['127.0.0.1', true],
    ['fd12:3456::1', true], ['fc00::1', true], ['2600:1f18::1', false], ['::ffff:10.0.0.1', true], ['::ffff:8.8.8.8', false],
  ])('classifies %s as private=%s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it('rejects a cluster endpoint that is not https', async () => {
    await expect(runPreflight({ region: REGION, clusterEndpoint: 'http://x.example', resolver: toLoopback }))
      .rejects.toBeInstanceOf(PreflightOptionsError);
  });
});
