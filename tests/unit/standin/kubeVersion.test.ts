import { discoverResources } from '../../../lib/kube/discovery';
import {
  atLeast, cronJobsGroupVersion, majorMinor, parseKubeVersion, servesAggregatedDiscovery, servesContinueFromCacheSnapshot,
  servesIngressesInExtensions,
} from '../../standin/kubeVersion';
import { FakeDiscoveryTransport, loadDiscoveryFixture, type DiscoveryFixtureName } from '../kube/helpers/fakeDiscoveryTransport';

describe('parseKubeVersion', () => {
  it.each([
    ['v1.20.2', { major: 1, minor: 20, gitVersion: 'v1.20.2' }],
    ['Kubernetes v1.36.2', { major: 1, minor: 36, gitVersion: 'v1.36.2' }],
    ['v1.30.4-eks-a737599', { major: 1, minor: 30, gitVersion: 'v1.30.4-eks-a737599' }],
    ['1.28', { major: 1, minor: 28, gitVersion: 'v1.28.0' }],
  ])('reads %s', (text, expected) => {
    expect(parseKubeVersion(text)).toEqual(expected);
  });

  it.each(['', 'Kubernetes', 'v0.0.0-master+$Format:%H$', 'v2.1.0'])('rejects %j, naming what it got', (text) => {
    expect(() => parseKubeVersion(text)).toThrow(/not a Kubernetes/);
  });

  it('compares as "at least"', () => {
    const v = parseKubeVersion('v1.24.0');
    expect([atLeast(v, 1, 20), atLeast(v, 1, 24), atLeast(v, 1, 25)]).toEqual([true, true, false]);
    expect(majorMinor(v)).toBe('1.24');
  });
});

// The version rules the integration tests assert with must agree with what discovery picks from a real
// server's documents of that version: both branches, against both fixtures.
describe.each<[DiscoveryFixtureName, string, string, boolean]>([
  ['discovery-1.20', 'v1.20.2', 'batch/v1beta1', true],
  ['discovery-1.30', 'v1.30.0', 'batch/v1', false],
])('version rules against %s', (fixture, version, cronJobs, ingressesInExtensions) => {
  const v = parseKubeVersion(version);

  it(`serves cronjobs at ${cronJobs}, as discovery prefers`, async () => {
    const { resources } = await discoverResources(new FakeDiscoveryTransport(loadDiscoveryFixture(fixture)));
    expect(resources.find((r) => r.name === 'cronjobs.batch')?.groupVersion).toBe(cronJobs);
    expect(cronJobsGroupVersion(v)).toBe(cronJobs);
  });

  it(`${ingressesInExtensions ? 'also' : 'no longer'} serves ingresses in extensions`, () => {
    const list = loadDiscoveryFixture(fixture)['/apis/extensions/v1beta1'] as { resources: Array<{ name: string }> } | undefined;
    expect(list?.resources.some((r) => r.name === 'ingresses') ?? false).toBe(ingressesInExtensions);
    expect(servesIngressesInExtensions(v)).toBe(ingressesInExtensions);
  });
});

// Issue 29: the integration tests branch on these to assert what the server they run against does.
describe.each<[DiscoveryFixtureName, string, 'legacy' | 'aggregated']>([
  ['discovery-1.20', 'v1.20.2', 'legacy'],
  ['discovery-aggregated-v2', 'v1.30.0', 'aggregated'],
])('aggregated discovery against %s', (fixture, version, mode) => {
  it(`is ${mode}, as discovery finds it`, async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(loadDiscoveryFixture(fixture)));
    expect(result.mode).toBe(mode);
    expect(servesAggregatedDiscovery(parseKubeVersion(version))).toBe(mode === 'aggregated');
  });
});

it.each([['v1.20.2', false], ['v1.26.0', false], ['v1.27.0', true], ['v1.36.2', true]])('aggregated discovery on %s: %s', (version, expected) => {
  expect(servesAggregatedDiscovery(parseKubeVersion(version))).toBe(expected);
});

it.each([['v1.20.2', false], ['v1.33.4', false], ['v1.34.0', true], ['v1.36.2', true]])('continue pages from cache snapshots on %s: %s', (version, expected) => {
  expect(servesContinueFromCacheSnapshot(parseKubeVersion(version))).toBe(expected);
});
