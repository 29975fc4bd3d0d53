import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import type { MapRoleEntry, RoleCredentials } from '../standin/StandInClient';
import { StandInClient } from '../standin/StandInClient';
import { CLI, delegateNode, invokeBundle, REPO_ROOT, run, unique } from './helpers';

// check-access by the bundled handler against the real kube-apiserver and the aws-iam-authenticator-like
// webhook: what the delegate can read, and whether the fix it offers really fixes it.
const standIn = StandInClient.fromEnv();
const { clusterName, region } = standIn.conn;
const CHECK_ACCESS_EVENT = join(REPO_ROOT, 'events', 'check-access.json');

interface Remediation { kind: string; why: string; commands: string[]; manifest?: { fileName: string; content: string } }
interface AccessResponse {
  action: string; status: string; summary: string; clusterName: string;
  identity: { callerArn: string; roleArn: string; account: string; warnings: string[] };
  cluster: { name: string; authenticationMode: string };
  readable: string[]; unreadable: Array<{ resource: string; reason: string }>;
  existingMapping: string; remediation: Remediation[]; warnings: string[];
}

const checkAccess = async (creds: RoleCredentials): Promise<AccessResponse> => {
  const out = await invokeBundle<AccessResponse>(CHECK_ACCESS_EVENT, standIn.delegateEnv(creds));
  if (out.response.action !== 'check-access' || !out.response.identity) throw new Error(`unexpected response ${JSON.stringify(out.response)}\n${out.stderr}`);
  return out.response;
};
const commandsOf = (r: { remediation: Remediation[] }) => r.remediation.flatMap((x) => x.commands);
/** With -o json the CLI's stdout is the response and nothing else (logs go to stderr). */
const cliResponse = (stdout: string): Record<string, unknown> => JSON.parse(stdout) as Record<string, unknown>;
// The API server caches webhook answers for 1 s (--authentication-token-webhook-cache-ttl): let a mapping change land.
const settle = () => new Promise((r) => setTimeout(r, 1100));

async function readMapRoles(): Promise<MapRoleEntry[]> {
  const res = await standIn.kube('GET', '/api/v1/namespaces/kube-system/configmaps/aws-auth');
  if (res.status === 404) return [];
  const text = res.json<{ data?: { mapRoles?: string } }>().data?.mapRoles;
  return (text ? (parseYaml(text) as MapRoleEntry[] | null) : null) ?? [];
}

/** Splits a command line as a POSIX shell would for the quoting shellQuote produces (bare words and '...'). */
function shellWords(command: string): string[] {
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replaceAll(`'\\''`, "'") : m[2] ?? ''));
}

function flags(words: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('--')) continue;
    const next = words[i + 1];
    if (next === undefined || next.startsWith('--')) out.set(w.slice(2), true);
    else out.set(w.slice(2), words[++i]!);
  }
  return out;
}

/**
 * Makes, through the API server, exactly the aws-auth change the offered eksctl command makes
 * (eksctl pkg/authconfigmap): `create` appends {rolearn, username, groups} to mapRoles, refusing a
 * duplicate ARN with --no-duplicate-arns; `delete` removes the first entry with that ARN.
 */
async function applyEksctl(command: string): Promise<void> {
  const words = shellWords(command);
  const [tool, verb, noun] = words;
  if (tool !== 'eksctl' || noun !== 'iamidentitymapping') throw new Error(`not an eksctl identity mapping command: ${command}`);
  const f = flags(words);
  expect({ cluster: f.get('cluster'), region: f.get('region') }).toEqual({ cluster: clusterName, region });
  const arn = f.get('arn') as string;
  const roles = await readMapRoles();
  if (verb === 'create') {
    if (f.get('no-duplicate-arns') === true && roles.some((r) => r.rolearn === arn)) throw new Error(`eksctl: found existing mapping with the same arn ${arn}`);
    roles.push({ rolearn: arn, username: f.get('username') as string, groups: [f.get('group') as string] });
  } else if (verb === 'delete') {
    const i = roles.findIndex((r) => r.rolearn === arn);
    if (i < 0) throw new Error(`eksctl: no mapping for ${arn}`);
    roles.splice(i, 1);
  } else {
    throw new Error(`unexpected eksctl verb ${verb}`);
  }
  await standIn.setAwsAuth(roles);
}

/** What `aws eks create-access-entry` / `associate-access-policy` / `update-access-entry` do, through the stand-in's EKS control API. */
async function applyAwsEks(commands: string[]): Promise<void> {
  const entries = new Map<string, { principalArn: string; kubernetesGroups: string[]; policies: string[] }>();
  for (const command of commands) {
    const words = shellWords(command);
    const f = flags(words);
    expect({ cluster: f.get('cluster-name'), region: f.get('region') }).toEqual({ cluster: clusterName, region });
    const principalArn = f.get('principal-arn') as string;
    const op = words[2];
    if (op === 'create-access-entry') {
      entries.set(principalArn, { principalArn, kubernetesGroups: typeof f.get('kubernetes-groups') === 'string' ? [f.get('kubernetes-groups') as string] : [], policies: [] });
    } else if (op === 'associate-access-policy') {
      expect(f.get('access-scope')).toBe('type=cluster');
      entries.get(principalArn)!.policies.push(f.get('policy-arn') as string);
    } else {
      throw new Error(`unexpected aws eks command ${command}`);
    }
  }
  for (const e of entries.values()) await standIn.putAccessEntry(e);
}

afterEach(async () => {
  await standIn.setAwsAuth([]);
  await standIn.clearAccessEntries();
});

describe('check-access reports what the delegate can read', () => {
  it('answers NOT_AUTHENTICATED for an unmapped role, with the eksctl and access-entry commands naming its ARN', async () => {
    const role = await standIn.issueRoleCredentials(unique('access-unmapped'));
    const report = await checkAccess(role);
    expect(report).toMatchObject({
      status: 'NOT_AUTHENTICATED', existingMapping: 'none', readable: [],
      identity: { callerArn: role.assumedRoleArn, roleArn: role.roleArn, account: standIn.conn.account },
      cluster: { name: clusterName, authenticationMode: 'API_AND_CONFIG_MAP' },
    });
    expect(report.remediation.map((r) => r.kind)).toEqual(['aws-auth', 'access-entry', 'least-privilege']);
    expect(commandsOf(report)).toEqual(expect.arrayContaining([
      `eksctl create iamidentitymapping --cluster ${clusterName} --region ${region} --arn ${role.roleArn} --group system:masters --username eks-delegate --no-duplicate-arns`,
      `aws eks create-access-entry --cluster-name ${clusterName} --region ${region} --principal-arn ${role.roleArn} --type STANDARD`,
      `aws eks associate-access-policy --cluster-name ${clusterName} --region ${region} --principal-arn ${role.roleArn} --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy --access-scope type=cluster`,
    ]));
    expect((await standIn.recentReviews()).at(-1)).toEqual({ authenticated: false, reason: `ARN ${role.roleArn} is not mapped` });
  });

  it('answers PARTIAL_ACCESS for a role mapped to view, with secrets unreadable and the fix offered', async () => {
    const role = await standIn.issueRoleCredentials(unique('access-view'));
    await standIn.setAwsAuth([{ rolearn: role.roleArn, username: 'viewer', groups: ['eks-standin:view'] }]);
    await settle();
    const report = await checkAccess(role);
    expect(report.status).toBe('PARTIAL_ACCESS');
    expect(report.unreadable).toEqual(expect.arrayContaining([expect.objectContaining({ resource: 'secrets', reason: 'forbidden' })]));
    expect(report.readable).toEqual(expect.arrayContaining(['configmaps', 'deployments.apps', 'pods']));
    expect(report.readable).not.toContain('secrets');
    expect(report.existingMapping).toBe('aws-auth');
    expect(report.remediation.find((r) => r.kind === 'aws-auth')?.commands).toEqual([
      `eksctl delete iamidentitymapping --cluster ${clusterName} --region ${region} --arn ${role.roleArn}`,
      `eksctl create iamidentitymapping --cluster ${clusterName} --region ${region} --arn ${role.roleArn} --group system:masters --username eks-delegate --no-duplicate-arns`,
    ]);
  });

  it('answers ACCESS_OK with nothing to fix for a role mapped to system:masters', async () => {
    const role = await standIn.issueRoleCredentials(unique('access-masters'));
    await standIn.setAwsAuth([{ rolearn: role.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
    await settle();
    const report = await checkAccess(role);
    expect(report).toMatchObject({ status: 'ACCESS_OK', unreadable: [], remediation: [] });
    expect(report.readable).toEqual(expect.arrayContaining(['secrets', 'configmaps', 'customresourcedefinitions.apiextensions.k8s.io']));
  });
});

describe('in API authentication mode', () => {
  afterEach(async () => {
    await standIn.patchCluster({ authenticationMode: 'API_AND_CONFIG_MAP' });
  });

  it('offers only access-entry commands, and running them turns the check into ACCESS_OK', async () => {
    await standIn.patchCluster({ authenticationMode: 'API' });
    const role = await standIn.issueRoleCredentials(unique('access-api'));
    const before = await checkAccess(role);
    expect(before.status).toBe('NOT_AUTHENTICATED');
    expect(before.cluster.authenticationMode).toBe('API');
    expect(before.remediation.map((r) => r.kind)).toEqual(['access-entry', 'least-privilege']);
    expect(commandsOf(before).filter((c) => c.startsWith('eksctl'))).toEqual([]);

    await applyAwsEks(before.remediation.find((r) => r.kind === 'access-entry')!.commands);
    await settle();
    const after = await checkAccess(role);
    expect({ status: after.status, unreadable: after.unreadable }).toEqual({ status: 'ACCESS_OK', unreadable: [] });
    expect(after.readable).toContain('secrets');
  });
});

describe('applying the offered aws-auth change', () => {
  it('turns NOT_AUTHENTICATED into ACCESS_OK', async () => {
    const role = await standIn.issueRoleCredentials(unique('access-fix'));
    // Someone else's mapping is there already: eksctl appends, it does not replace the ConfigMap.
    const other: MapRoleEntry = { rolearn: `arn:aws:iam::${standIn.conn.account}:role/nodes`, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:nodes'] };
    await standIn.setAwsAuth([other]);
    const before = await checkAccess(role);
    expect(before.status).toBe('NOT_AUTHENTICATED');
    for (const command of before.remediation.find((r) => r.kind === 'aws-auth')!.commands) await applyEksctl(command);
    expect(await readMapRoles()).toEqual([other, { rolearn: role.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
    await settle();
    const after = await checkAccess(role);
    expect({ status: after.status, unreadable: after.unreadable, remediation: after.remediation }).toEqual({ status: 'ACCESS_OK', unreadable: [], remediation: [] });
  });

  it('turns PARTIAL_ACCESS (mapped to view) into ACCESS_OK by replacing the mapping', async () => {
    const role = await standIn.issueRoleCredentials(unique('access-refix'));
    await standIn.setAwsAuth([{ rolearn: role.roleArn, username: 'viewer', groups: ['eks-standin:view'] }]);
    await settle();
    const before = await checkAccess(role);
    expect(before.status).toBe('PARTIAL_ACCESS');
    for (const command of before.remediation.find((r) => r.kind === 'aws-auth')!.commands) await applyEksctl(command);
    await settle();
    expect((await checkAccess(role)).status).toBe('ACCESS_OK');
  });

  it('turns NOT_AUTHENTICATED into ACCESS_OK with the least-privilege manifest and group mapping', async () => {
    const role = await standIn.issueRoleCredentials(unique('access-reader'));
    const before = await checkAccess(role);
    const lp = before.remediation.find((r) => r.kind === 'least-privilege')!;
    expect(lp.commands[0]).toBe('kubectl apply -f eks-delegate-reader.yaml');
    const docs = parseAllDocuments(lp.manifest!.content).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    try {
      // `kubectl apply -f eks-delegate-reader.yaml`, through the API as the cluster admin.
      for (const doc of docs) {
        await standIn.apply(`/apis/rbac.authorization.k8s.io/v1/${doc.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`, doc);
      }
      for (const command of lp.commands.slice(1)) await applyEksctl(command);
      expect((await readMapRoles()).at(-1)).toEqual({ rolearn: role.roleArn, username: 'eks-delegate', groups: ['eks-delegate-readers'] });
      await settle();
      const after = await checkAccess(role);
      expect({ status: after.status, unreadable: after.unreadable }).toEqual({ status: 'ACCESS_OK', unreadable: [] });
    } finally {
      await standIn.delete('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/eks-delegate-reader');
      await standIn.delete('/apis/rbac.authorization.k8s.io/v1/clusterroles/eks-delegate-reader');
    }
  });
});

describe('the check-access subcommand and a backup without access', () => {
  it('runs through the CLI, exiting 1 for NOT_AUTHENTICATED and 0 for ACCESS_OK', async () => {
    const role = await standIn.issueRoleCredentials(unique('access-cli'));
    const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...standIn.delegateEnv(role) };
    const denied = await run(delegateNode(), [CLI, 'check-access', '--cluster-name', clusterName, '--region', region, '-o', 'json'], env);
    expect(denied.code).toBe(1);
    expect(cliResponse(denied.stdout)).toMatchObject({ action: 'check-access', status: 'NOT_AUTHENTICATED', identity: { roleArn: role.roleArn } });
    // The page for people: the status, then the grants as shell lines.
    const page = await run(delegateNode(), [CLI, 'check-access', '--cluster-name', clusterName, '--region', region], env);
    expect(page.code).toBe(1);
    expect(page.stdout).toMatch(/^NOT_AUTHENTICATED: cluster \S+ answers 401 Unauthorized/);
    expect(page.stdout).toContain(`  $ eksctl create iamidentitymapping --cluster ${clusterName} --region ${region} --arn ${role.roleArn} --group system:masters`);

    await standIn.setAwsAuth([{ rolearn: role.roleArn, username: 'eks-delegate', groups: ['system:masters'] }]);
    await settle();
    const ok = await run(delegateNode(), [CLI, 'check-access', '--json'], env);
    expect(ok.code).toBe(0);
    expect(cliResponse(ok.stdout)).toMatchObject({ status: 'ACCESS_OK', remediation: [] });
  });

  it('ends a backup that gets 401 on everything FAILED, with the same remediation in its response', async () => {
    const role = await standIn.issueRoleCredentials(unique('access-backup'));
    const { response } = await invokeBundle<{ status: string; reason: string; principalArn: string; remediation: Remediation[] }>(
      join(REPO_ROOT, 'events', 'backup.json'), standIn.delegateEnv(role),
    );
    expect({ status: response.status, reason: response.reason, principalArn: response.principalArn }).toEqual({ status: 'FAILED', reason: 'unauthorized', principalArn: role.roleArn });
    const check = await checkAccess(role);
    expect(response.remediation).toEqual(check.remediation);
    expect(commandsOf(response)).toContain(
      `eksctl create iamidentitymapping --cluster ${clusterName} --region ${region} --arn ${role.roleArn} --group system:masters --username eks-delegate --no-duplicate-arns`,
    );
  });

  it('ends a backup that gets 403 on everything FAILED, with the remediation for an already mapped role', async () => {
    const role = await standIn.issueRoleCredentials(unique('access-nobody'));
    // Authenticated (discovery works for everyone) but bound to nothing: every list answers 403.
    await standIn.setAwsAuth([{ rolearn: role.roleArn, username: 'nobody', groups: ['no-such-group'] }]);
    await settle();
    const { response } = await invokeBundle<{ status: string; reason: string; principalArn: string; remediation: Remediation[] }>(
      join(REPO_ROOT, 'events', 'backup.json'), standIn.delegateEnv(role),
    );
    expect({ status: response.status, reason: response.reason, principalArn: response.principalArn }).toEqual({ status: 'FAILED', reason: 'forbidden', principalArn: role.roleArn });
    const check = await checkAccess(role);
    expect({ status: check.status, existingMapping: check.existingMapping }).toEqual({ status: 'NO_ACCESS', existingMapping: 'unknown' });
    expect(response.remediation).toEqual(check.remediation);
    expect(response.remediation.find((r) => r.kind === 'aws-auth')?.why).toContain(`eksctl delete iamidentitymapping --cluster ${clusterName} --region ${region} --arn ${role.roleArn}`);
  });
});
