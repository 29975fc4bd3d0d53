import { apiServerFlags, type ApiServerFlagInputs } from '../../standin/apiServerFlags';
import { parseKubeVersion } from '../../standin/kubeVersion';

const inputs: ApiServerFlagInputs = {
  etcdUrl: 'http://127.0.0.1:2379', securePort: 6443,
  tlsCertFile: '/s/server.crt', tlsKeyFile: '/s/server.key', clientCaFile: '/s/ca.crt',
  tokenAuthFile: '/s/tokens.csv', webhookConfigFile: '/s/webhook.kubeconfig', webhookCacheTtl: '1s', watchCache: true,
  serviceAccountKeyFile: '/s/sa.pub', serviceAccountSigningKeyFile: '/s/sa.key',
};

const flagsFor = (version: string) => apiServerFlags(parseKubeVersion(version), inputs);
const names = (flags: string[]) => flags.map((f) => f.replace(/=.*$/, ''));

// Flags every supported version must get: without them the server refuses to start (service account
// issuer and signing key since 1.20), or the stand-in stops being the EKS stand-in (RBAC, webhook, TLS).
const ALWAYS = [
  '--etcd-servers=http://127.0.0.1:2379', '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--secure-port=6443',
  '--endpoint-reconciler-type=none', '--tls-cert-file=/s/server.crt', '--tls-private-key-file=/s/server.key',
  '--client-ca-file=/s/ca.crt', '--authorization-mode=RBAC', '--token-auth-file=/s/tokens.csv',
  '--authentication-token-webhook-config-file=/s/webhook.kubeconfig', '--authentication-token-webhook-cache-ttl=1s',
  '--service-account-key-file=/s/sa.pub', '--service-account-signing-key-file=/s/sa.key',
  '--service-account-issuer=https://kubernetes.default.svc', '--api-audiences=https://kubernetes.default.svc',
  '--disable-admission-plugins=ServiceAccount', '--enable-priority-and-fairness=false',
  // EKS allows privileged containers; CSI node DaemonSets are refused without it.
  '--allow-privileged=true',
];

describe('apiServerFlags', () => {
  it('turns the insecure port off on 1.20 (the flag still exists there and only 0 is allowed)', () => {
    const flags = flagsFor('v1.20.2');
    expect(flags).toContain('--insecure-port=0');
    expect(flags).toEqual(expect.arrayContaining(ALWAYS));
  });

  it('still passes --insecure-port=0 on 1.23, the last version that knows the flag', () => {
    expect(flagsFor('v1.23.17')).toContain('--insecure-port=0');
  });

  it.each(['v1.24.0', 'v1.28.15', 'v1.33.1', 'v1.36.2'])('leaves --insecure-port out on %s (removed in 1.24: "unknown flag")', (v) => {
    const flags = flagsFor(v);
    expect(names(flags)).not.toContain('--insecure-port');
    expect(flags).toEqual(expect.arrayContaining(ALWAYS));
  });

  it('differs between 1.20 and 1.33 by the insecure port only', () => {
    expect(flagsFor('v1.20.2').filter((f) => f !== '--insecure-port=0')).toEqual(flagsFor('v1.33.1'));
  });

  it('keeps the watch cache by default and turns it off only when asked (the million-object bench)', () => {
    expect(names(flagsFor('v1.20.2'))).not.toContain('--watch-cache');
    const off = apiServerFlags(parseKubeVersion('v1.20.2'), { ...inputs, watchCache: false });
    expect(off).toContain('--watch-cache=false');
    expect(off.filter((f) => f !== '--watch-cache=false')).toEqual(flagsFor('v1.20.2'));
  });

  it('allows 500 writes at once unless the recovery cluster asks for fewer (the cap curve under 429s)', () => {
    expect(flagsFor('v1.20.2')).toContain('--max-mutating-requests-inflight=500');
    const low = apiServerFlags(parseKubeVersion('v1.20.2'), { ...inputs, maxMutatingRequestsInflight: 4 });
    expect(low).toContain('--max-mutating-requests-inflight=4');
    expect(low).not.toContain('--max-mutating-requests-inflight=500');
  });

  it('never names a flag twice', () => {
    for (const v of ['v1.20.2', 'v1.24.0', 'v1.28.15', 'v1.33.1']) {
      const n = names(flagsFor(v));
      expect(new Set(n).size).toBe(n.length);
    }
  });
});
