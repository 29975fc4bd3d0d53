// check-access for people: what the delegate may read, and the commands that grant the rest, each on a line
// of its own so it can be copied (the generic page would squeeze them into a table cell).
import type { CheckAccessResponse } from '../actions';
import { count, statusText, type Colors } from './format';

export function renderCheckAccess(r: CheckAccessResponse, c: Colors): string {
  const field = (label: string, value: string) => `${label.padEnd(16)}${value}`;
  const lines = [
    `${statusText(r.status, c)}: ${r.summary}`,
    field('Identity', `${r.identity.roleArn} (${r.identity.principalType})`),
    field('Cluster', `${r.cluster.name} (${r.cluster.region}, auth ${r.cluster.authenticationMode}, Kubernetes ${r.cluster.kubernetesVersion})`),
    field('Readable', `${count(r.readable.length)} resource type(s)`),
  ];
  r.unreadable.forEach((u, i) => lines.push(field(i === 0 ? 'Unreadable' : '', `${u.resource}: ${u.reason}${u.detail ? ` (${u.detail})` : ''}`)));
  for (const w of [...r.identity.warnings, ...r.warnings]) lines.push(`Warning: ${w}`);
  if (r.remediation.length) {
    lines.push('', `To grant it, one of (already mapped: ${r.existingMapping}):`);
    for (const fix of r.remediation) {
      lines.push('', `${fix.kind}: ${fix.why}`, ...fix.commands.map((cmd) => `  $ ${cmd}`));
      if (fix.manifest) lines.push(`  (${fix.manifest.fileName}: -o yaml prints it under remediation.manifest.content)`);
    }
  }
  return lines.join('\n');
}
