import { renderReportHtml, type ReadinessResult } from '../../../lib/readiness';

const result = (over: Partial<ReadinessResult> = {}): ReadinessResult => ({
  status: 'NOT_READY', readinessId: 'r1', checkedAt: '2026-12-07T12:00:00.000Z', clusterName: 'prod-dr',
  source: { clusterName: 'prod', bucket: 'b', prefix: 'eks/', recoveryPointId: 'rp1', location: 's3://b/eks/prod/rp1/' },
  rpo: { recoveryPointAgeSeconds: 3600, targetSeconds: 86400, met: true, recent: [{ recoveryPointId: 'rp1', status: 'COMPLETED', completedAt: '2026-12-07T11:00:00Z', gapSeconds: 86400 }], failedLast7Days: [], partialLast7Days: [] },
  estimatedRto: { seconds: 10, targetSeconds: 3600, met: true, objectsToRestore: 100, writesPerSecond: 10 },
  dependencies: [], problems: [], checks: ['RPO'], warnings: [], durationMs: 1000, ...over,
});

describe('renderReportHtml', () => {
  it('escapes every value that comes from outside: names, ids, details', () => {
    const html = renderReportHtml(result({
      clusterName: '<img src=x onerror=alert(1)>',
      problems: [{ severity: 'NOT_READY', kind: 'admission', id: '"><script>alert(2)</script>', objects: ['configmaps/a/<b>'], detail: 'refused: <i>x</i> & "y"' }],
    }));
    for (const raw of ['<img src=x', '<script>alert(2)', 'configmaps/a/<b>', '<i>x</i>']) expect(html).not.toContain(raw);
    expect(html).toContain('configmaps/a/&lt;b&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('refused: &lt;i&gt;x&lt;/i&gt; &amp; &quot;y&quot;');
  });

  it('is one self-contained page: no script, no stylesheet or image from the network, a strict CSP', () => {
    const html = renderReportHtml(result());
    expect(html).not.toMatch(/<script|<link|src="http|url\(/);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<svg');
    expect(html).toContain('id="verdict">NOT READY<');
  });
});
