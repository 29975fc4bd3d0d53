import {
  admissionWebhooks, describeMatches, endpointsHaveReadyAddress, sliceHasReadyEndpoint, webhooksWarning, webhooksWithoutEndpoints,
  type AdmissionWebhook, type ServiceReadiness,
} from '../../../lib/restore';

const VALIDATING = 'validatingwebhookconfigurations.admissionregistration.k8s.io';
const MUTATING = 'mutatingwebhookconfigurations.admissionregistration.k8s.io';

describe('describeMatches', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['core and grouped resources, named as restore names them',
      { rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['', 'networking.k8s.io'], apiVersions: ['v1'], resources: ['services', 'ingresses'] }] },
      'CREATE,UPDATE of services, ingresses, services.networking.k8s.io, ingresses.networking.k8s.io'],
    ['rules with the same operations are merged; others listed apart',
      { rules: [
        { operations: ['CREATE'], apiGroups: [''], resources: ['pods'] },
        { operations: ['CREATE'], apiGroups: ['apps'], resources: ['deployments', 'pods'] },
        { operations: ['DELETE'], apiGroups: [''], resources: ['pods/exec'] },
      ] },
      'CREATE of pods, deployments.apps, pods.apps; DELETE of pods/exec'],
    ['* operations mean every write', { rules: [{ operations: ['*'], apiGroups: ['*'], resources: ['*'] }] }, 'every write of *.*'],
    ['selectors narrow it, and say so',
      { rules: [{ operations: ['CREATE'], apiGroups: [''], resources: ['configmaps'] }],
        namespaceSelector: { matchLabels: { team: 'shop' } }, objectSelector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } },
      'CREATE of configmaps (namespaces matching team=shop, objects matching 1 expression(s))'],
    ['no rules: nothing', {}, 'nothing (no rules)'],
  ];
  it.each(cases)('%s', (_name, webhook, expected) => {
    expect(describeMatches(webhook)).toBe(expected);
  });
});

describe('admissionWebhooks', () => {
  const config = (apiVersion: string, webhooks: unknown[]) => ({ apiVersion, kind: 'ValidatingWebhookConfiguration', metadata: { name: 'aws-lb' }, webhooks });
  it('reads service, url and failurePolicy, defaulting it by version (v1 Fail, v1beta1 Ignore)', () => {
    const hooks = [
      { name: 'svc.example.com', clientConfig: { service: { namespace: 'kube-system', name: 'aws-lb-webhook', port: 443 } }, rules: [] },
      { name: 'url.example.com', clientConfig: { url: 'https://hooks.example.com/validate' }, failurePolicy: 'Ignore', rules: [] },
    ];
    expect(admissionWebhooks(VALIDATING, config('admissionregistration.k8s.io/v1', hooks))).toEqual([
      { kind: 'ValidatingWebhookConfiguration', configuration: 'aws-lb', webhook: 'svc.example.com', service: { namespace: 'kube-system', name: 'aws-lb-webhook' }, failurePolicy: 'Fail', matches: 'nothing (no rules)' },
      { kind: 'ValidatingWebhookConfiguration', configuration: 'aws-lb', webhook: 'url.example.com', url: 'https://hooks.example.com/validate', failurePolicy: 'Ignore', matches: 'nothing (no rules)' },
    ]);
    expect(admissionWebhooks(MUTATING, config('admissionregistration.k8s.io/v1beta1', hooks.slice(0, 1)))[0]).toMatchObject({ kind: 'MutatingWebhookConfiguration', failurePolicy: 'Ignore' });
  });
  it('is empty for any other object', () => {
    expect(admissionWebhooks('configmaps', { metadata: { name: 'x' }, webhooks: [{ name: 'y' }] })).toEqual([]);
  });
});

describe('webhooksWithoutEndpoints', () => {
  const hook = (webhook: string, service: string | undefined, failurePolicy: 'Fail' | 'Ignore'): AdmissionWebhook => ({
    kind: 'ValidatingWebhookConfiguration', configuration: 'cfg', webhook, failurePolicy, matches: 'CREATE of services',
    ...(service ? { service: { namespace: service.split('/')[0]!, name: service.split('/')[1]! } } : { url: 'https://h.example.com/' }),
  });
  const readiness = new Map<string, ServiceReadiness>([['a/ready', 'ready'], ['a/idle', 'no-ready-endpoints'], ['a/gone', 'service-not-found']]);
  const cases: Array<[string, AdmissionWebhook, Record<string, unknown> | undefined]> = [
    ['ready: not named', hook('w', 'a/ready', 'Fail'), undefined],
    ['no ready endpoint, Fail: refuses what it matches', hook('w', 'a/idle', 'Fail'),
      { service: 'a/idle', failurePolicy: 'Fail', refuses: 'CREATE of services', problem: 'no-ready-endpoints' }],
    ['no ready endpoint, Ignore: only skipped', hook('w', 'a/idle', 'Ignore'),
      { service: 'a/idle', failurePolicy: 'Ignore', skippedFor: 'CREATE of services', problem: 'no-ready-endpoints' }],
    ['Service missing', hook('w', 'a/gone', 'Fail'), { service: 'a/gone', problem: 'service-not-found', refuses: 'CREATE of services' }],
    ['called at a URL: cannot be checked', hook('w', undefined, 'Fail'), { url: 'https://h.example.com/', problem: 'url-not-checked' }],
    ['not read (the check failed): left out', hook('w', 'a/unknown', 'Fail'), undefined],
  ];
  it.each(cases)('%s', (_name, webhook, expected) => {
    const found = webhooksWithoutEndpoints([webhook], readiness);
    if (expected === undefined) expect(found).toEqual([]);
    else {
      expect(found).toEqual([expect.objectContaining({ kind: 'ValidatingWebhookConfiguration', configuration: 'cfg', webhook: 'w', ...expected })]);
      expect(found[0]).not.toHaveProperty(webhook.failurePolicy === 'Fail' ? 'skippedFor' : 'refuses');
    }
  });

  it('warns in one line naming each webhook and what it refuses', () => {
    const found = webhooksWithoutEndpoints([hook('v.example.com', 'a/idle', 'Fail'), hook('u', undefined, 'Ignore')], readiness);
    expect(webhooksWarning(found, false)).toBe(
      '1 restored admission webhook(s) have no ready endpoint in the recovery cluster; 1 with failurePolicy Fail refuse the writes they match until their service runs: '
      + 'cfg/v.example.com (a/idle, refuses CREATE of services). 1 webhook(s) are called at a URL, which cannot be checked from here');
    expect(webhooksWarning([], true)).toBeUndefined();
  });
});

describe('ready endpoints', () => {
  it.each([
    ['Endpoints with an address', { subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] }, true],
    ['Endpoints with only not-ready addresses', { subsets: [{ notReadyAddresses: [{ ip: '10.0.0.1' }] }] }, false],
    ['Endpoints without subsets', {}, false],
  ])('%s', (_n, endpoints, ready) => expect(endpointsHaveReadyAddress(endpoints)).toBe(ready));
  it.each([
    ['a slice endpoint without conditions (ready)', { endpoints: [{ addresses: ['10.0.0.1'] }] }, true],
    ['a slice endpoint marked ready', { endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }] }, true],
    ['a slice endpoint not ready', { endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: false } }] }, false],
    ['an empty slice', { endpoints: [] }, false],
  ])('%s', (_n, slice, ready) => expect(sliceHasReadyEndpoint(slice)).toBe(ready));
});
