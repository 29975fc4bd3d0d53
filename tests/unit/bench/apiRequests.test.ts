import { apiRequests, parseRequestTotals, requestsBetween } from '../../../bench/apiRequests';

// As a kube-apiserver 1.3x /metrics page writes them.
const METRICS = `# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="POST",version="v1"} 1200
apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"} 34
apiserver_request_total{code="200",component="apiserver",dry_run="",group="apps",resource="deployments",scope="namespace",subresource="",verb="LIST",version="v1"} 7
apiserver_request_total{code="200",component="apiserver",dry_run="All",group="",resource="secrets",scope="resource",subresource="",verb="POST",version="v1"} 3
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="",path="/metrics",scope="",subresource="",verb="GET",version=""} 2
apiserver_request_total{code="201",component="apiserver",dry_run="",group="authorization.k8s.io",resource="selfsubjectaccessreviews",scope="cluster",subresource="",verb="POST",version="v1"} 1.5e+01
apiserver_request_duration_seconds_count{component="apiserver",verb="POST"} 99
etcd_request_duration_seconds_count{operation="create",type="/registry/configmaps"} 1234
`;

describe('apiRequests', () => {
  it('sums the request counters by verb, group/resource[/subresource] and code, dry runs apart, other metrics left out', () => {
    expect(parseRequestTotals(METRICS)).toEqual({
      'POST configmaps 201': 1234,
      'LIST apps/deployments 200': 7,
      'POST secrets 200 dryRun': 3,
      'GET /metrics 200': 2,
      'POST authorization.k8s.io/selfsubjectaccessreviews 201': 15,
    });
  });

  it('reads escaped quotes inside a label value', () => {
    expect(parseRequestTotals('apiserver_request_total{code="500",resource="a\\"b",verb="GET"} 1')).toEqual({ 'GET a"b 500': 1 });
  });

  it('gives what moved between two readings, most first; a counter that restarted counts from zero', () => {
    expect(requestsBetween({ 'POST configmaps 201': 100, 'GET /metrics 200': 4, 'LIST secrets 200': 9 }, { 'POST configmaps 201': 1100, 'GET /metrics 200': 5, 'LIST secrets 200': 2 }))
      .toEqual({ 'POST configmaps 201': 1000, 'LIST secrets 200': 2, 'GET /metrics 200': 1 });
    expect(Object.keys(requestsBetween({ 'POST configmaps 201': 100, 'LIST secrets 200': 2 }, { 'LIST secrets 200': 200, 'POST configmaps 201': 100 }))).toEqual(['LIST secrets 200']);
  });

  it('reads /metrics from the API connection', async () => {
    const asked: string[] = [];
    const got = await apiRequests({ getBody: async (path) => { asked.push(path); return Buffer.from(METRICS); } });
    expect(asked).toEqual(['/metrics']);
    expect(got['POST configmaps 201']).toBe(1234);
  });
});
