// readiness (DESIGN.md section 11, issue 25): every check that says whether the source cluster's recovery
// point would restore into the recovery cluster, within the targets, before a disaster asks. The checks
// only read (S3, the recovery cluster, AWS) and send the recovery cluster dry-run writes; the one place that
// writes is the report, to S3.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { findLatestRecoveryPoint, listRecoveryPoints, openRecoveryPoint, verifyRecoveryPoint, type ClusterLocation, type ListRecoveryPointsResult } from '../catalog';
import type { DependencyReference } from '../dependencies';
import type { ClusterSession } from '../delegate';
import type { DelegateLogger } from '../observability/DelegateLogger';
import { readinessFolder, type RecoveryPointManifest, type RecoveryPointReader } from '../recovery-point';
import { RestoreAccessError, RestoreDeadlineError, RestorePreconditionError, RestoreSourceError } from '../restore';
import { SecretEnvelope, SecretKeyError, type KmsClientFor } from '../secrets';
import type { TranslationMode } from '../translation';
import { checkAwsDependencies, type Lookup } from './checkAwsDependencies';
import { checkRpo, FAILED_BACKUP_WINDOW_MS } from './checkRpo';
import { checkVersionSkew } from './checkVersionSkew';
import { classifyDryRun } from './classifyDryRun';
import { decideVerdict } from './decideVerdict';
import { dryRunRestore } from './dryRunRestore';
import { estimateRto } from './estimateRto';
import { lastRestoreRate, type RestoreReportFolder } from './lastRestoreRate';
import { planLookups } from './planLookups';
import { renderReportHtml } from './renderReportHtml';
import { servedApis } from './servedApis';
import type { DryRunSummary, Finding, ReadinessResult, RtoResult, VersionSkew } from './types';

/** Recovery point folders read per catalog page for the RPO check (newest first). */
const RECOVERY_POINTS_PER_PAGE = 100;
/** At most this many folders are read, however many backups the last 7 days hold (an hourly schedule makes 168). */
const MAX_RECOVERY_POINTS_READ = 1000;

export interface ReadinessOptions {
  readinessId: string;
  /** The recovery cluster. */
  clusterName: string;
  source: { bucket: string; prefix: string; clusterName: string; recoveryPointId: string };
  identifierMap: Readonly<Record<string, string>>;
  /** As the restore would map zones and region names. */
  zoneMap: Readonly<Record<string, string>>;
  regionMap: Readonly<Record<string, string>>;
  namespaceMapping: Readonly<Record<string, string>>;
  translate: TranslationMode;
  rpoTargetSeconds: number;
  rtoTargetSeconds: number;
  /** Where the report, its HTML page and the dry run's per-object report go (`<prefix><source cluster>/readiness/`). */
  report: { bucket: string; prefix: string };
  /** Where real restores' reports of the recovery point in `folder` are, for the last real restore's rate. */
  restoreReports: (folder: string | undefined) => RestoreReportFolder[];
  concurrency: number;
  deadlineMarginMs: number;
}

export interface ReadinessDependencies {
  /** Reads the recovery points (the source bucket's region). */
  sourceS3: S3Client;
  /** Writes the reports. */
  reportS3: S3Client;
  kmsFor: KmsClientFor;
  /** Connects to the recovery cluster (DescribeCluster, then a Kubernetes client). */
  connect: () => Promise<ClusterSession>;
  /** Looks one AWS resource up in the recovery account (lib/aws/lookup). */
  lookup: Lookup;
  logger: DelegateLogger;
  remainingTimeMs?: () => number;
  /** @default () => new Date() */
  now?: () => Date;
}

export async function runReadiness(options: ReadinessOptions, deps: ReadinessDependencies): Promise<ReadinessResult> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const { logger } = deps;
  const findings: Finding[] = [];
  const checks: string[] = [];
  const warnings: string[] = [];
  const where: ClusterLocation = { s3: deps.sourceS3, bucket: options.source.bucket, prefix: options.source.prefix, clusterName: options.source.clusterName, kmsFor: deps.kmsFor };
  const location = `s3://${options.source.bucket}/${options.source.prefix}${options.source.clusterName}/`;

  // RPO, from the catalog.
  const page = await recentRecoveryPoints(where, started);
  const { rpo, findings: rpoFindings } = checkRpo({
    recoveryPoints: page.recoveryPoints, incomplete: page.incomplete, targetSeconds: options.rpoTargetSeconds, now: started,
    // `latest` is the newest whole-cluster recovery point; an id or latest-any names its own scope.
    wholeClusterOnly: options.source.recoveryPointId === 'latest',
  });
  findings.push(...rpoFindings);
  checks.push(`RPO: the ${page.recoveryPoints.length} newest recovery points under ${location} against a target of ${options.rpoTargetSeconds / 60} minutes`);

  const reader = await recoveryPointToCheck(where, options.source.recoveryPointId, findings);
  let verified: ReadinessResult['verified'];
  let dryRun: DryRunSummary | undefined;
  let versions: VersionSkew | undefined;
  let dependencies: ReadinessResult['dependencies'] = [];
  let objectsToRestore = 0;
  let dryRunMeasure: { objects: number; durationMs: number } | undefined;
  if (reader) {
    const m = reader.manifest;
    logger.info('readiness: recovery point chosen', { stage: 'readiness', recoveryPointId: m.recoveryPointId, status: m.status });
    if (m.status === 'PARTIAL') {
      const unreadable = m.resources.filter((r) => r.status === 'forbidden' || r.status === 'failed');
      findings.push({ kind: 'recovery-point', code: 'partial', id: m.recoveryPointId, objects: unreadable.map((r) => r.name),
        detail: `the recovery point is PARTIAL: ${unreadable.length} resource type(s) could not be read when it was taken and would not be restored` });
    }
    const keyUsable = await checkSecretsKey(m, deps.kmsFor, findings, checks);
    const result = await verifyRecoveryPoint(where, m.recoveryPointId);
    verified = { status: result.status, objects: result.objects, problems: result.problems };
    checks.push(`Soundness: recovery point ${m.recoveryPointId} verified (SHA-256, object count, every entry): ${result.status}`);
    if (result.status === 'INVALID' && keyUsable) {
      findings.push({ kind: 'recovery-point', code: 'invalid', id: m.recoveryPointId, detail: `the recovery point does not verify: ${result.problems.slice(0, 5).join('; ')}` });
    }
    if (result.status === 'VALID' && keyUsable) {
      const session = await deps.connect();
      try {
        const served = await servedApis(session.kube);
        const skew = checkVersionSkew({
          sourceKubernetesVersion: m.cluster.kubernetesVersion, recoveryKubernetesVersion: session.connection.kubernetesVersion,
          resources: m.resources, served,
        });
        versions = skew.versions;
        findings.push(...skew.findings);
        checks.push(`Versions: source Kubernetes ${m.cluster.kubernetesVersion}, recovery ${session.connection.kubernetesVersion}; API versions of the recovery point against what the recovery cluster serves`);

        const ran = await runDryRun(options, deps, session, reader, findings, warnings);
        if (ran) {
          dryRun = ran.summary;
          objectsToRestore = ran.summary.created + ran.summary.updated + ran.summary.refused + ran.summary.needsCrd + ran.summary.notServed + ran.summary.awaitingCrd;
          // Writes the API server answered (objects that exist were found by a list, not written).
          dryRunMeasure = { objects: ran.summary.created + ran.summary.updated + ran.summary.refused, durationMs: ran.summary.durationMs };
          checks.push(`Dry-run restore into ${options.clusterName} (every write with dryRun=All: admission and validation ran, nothing was stored): ${ran.summary.created} would be created, ${ran.summary.exists} exist, ${ran.summary.refused} refused`);
          const labelOf = referenceLabeller(m);
          const plan = planLookups({
            dependencies: ran.dependencies, identifierMapTargets: Object.values(options.identifierMap),
            untranslated: new Set(ran.untranslated.map((u) => `${u.type}\u0000${u.id}`)), recoveryRegion: session.connection.region, labelOf,
          });
          const checked = await checkAwsDependencies(plan.lookups, deps.lookup);
          dependencies = checked.dependencies;
          findings.push(...checked.findings);
          checks.push(`AWS dependencies: ${plan.lookups.length} resource(s) the restored objects use, looked up read-only in account ${session.connection.account}, ${session.connection.region}`);
          if (plan.unchecked.length) warnings.push(`not looked up (no read-only check for their type): ${plan.unchecked.map((u) => `${u.type} ${u.id}`).join(', ')}`);
        }
      } finally {
        session.close();
      }
    }
  }

  let lastRestore: RtoResult['lastRestore'];
  try {
    lastRestore = await lastRestoreRate(options.restoreReports(reader?.folder));
  } catch (err) {
    warnings.push(`the last real restore's report could not be read: ${errorText(err)}`);
  }
  const { rto, findings: rtoFindings } = estimateRto({ objectsToRestore, ...(dryRunMeasure ? { dryRun: dryRunMeasure } : {}), ...(lastRestore ? { lastRestore } : {}), targetSeconds: options.rtoTargetSeconds });
  // Without a dry run there is nothing to estimate, and the finding that stopped it says why.
  if (dryRun) findings.push(...rtoFindings);
  checks.push(`RTO: objects to restore over the dry run's write rate${lastRestore ? ` and the last real restore's (${lastRestore.restoreId})` : ' (no real restore report found)'}, against a target of ${options.rtoTargetSeconds / 60} minutes`);

  const { status, problems } = decideVerdict(findings);
  const result: ReadinessResult = {
    status, readinessId: options.readinessId, checkedAt: started.toISOString(), clusterName: options.clusterName,
    source: {
      clusterName: options.source.clusterName, bucket: options.source.bucket, prefix: options.source.prefix,
      ...(reader ? { recoveryPointId: reader.manifest.recoveryPointId, location: `s3://${options.source.bucket}/${reader.folder}` } : {}),
    },
    rpo, estimatedRto: rto, ...(verified ? { verified } : {}), ...(dryRun ? { dryRun } : {}), ...(versions ? { versions } : {}),
    dependencies, problems, checks, warnings, durationMs: now().getTime() - started.getTime(),
  };
  await writeReports(result, options, deps.reportS3, warnings);
  return result;
}

/** The catalog's folders, newest first, page after page until they are older than the failed-backup window. */
async function recentRecoveryPoints(where: ClusterLocation, now: Date): Promise<Pick<ListRecoveryPointsResult, 'recoveryPoints' | 'incomplete'>> {
  const since = now.getTime() - FAILED_BACKUP_WINDOW_MS;
  const recoveryPoints: ListRecoveryPointsResult['recoveryPoints'] = [];
  const incomplete: ListRecoveryPointsResult['incomplete'] = [];
  let nextToken: string | undefined;
  do {
    const page = await listRecoveryPoints(where, { limit: RECOVERY_POINTS_PER_PAGE, ...(nextToken ? { nextToken } : {}) });
    recoveryPoints.push(...page.recoveryPoints);
    incomplete.push(...page.incomplete);
    const oldest = page.recoveryPoints.at(-1);
    nextToken = oldest && Date.parse(oldest.completedAt) < since ? undefined : page.nextToken;
  } while (nextToken && recoveryPoints.length + incomplete.length < MAX_RECOVERY_POINTS_READ);
  return { recoveryPoints, incomplete };
}

/** The recovery point readiness checks: the newest usable one for `latest`, or the one named. */
async function recoveryPointToCheck(where: ClusterLocation, id: string, findings: Finding[]): Promise<RecoveryPointReader | undefined> {
  if (id === 'latest') {
    const latest = await findLatestRecoveryPoint(where.s3, where.bucket, where.prefix, where.clusterName, where.kmsFor ? { kmsFor: where.kmsFor } : {});
    // The catalog may hold usable recovery points that `latest` does not pick (filtered, partial copies).
    if (!latest && !findings.some((f) => f.code === 'no-usable-recovery-point')) {
      findings.push({ kind: 'rpo', code: 'no-usable-recovery-point', detail: `no recovery point of ${where.clusterName} qualifies as latest (a whole-cluster, COMPLETED or PARTIAL one)` });
    }
    return latest;
  }
  try {
    return await openRecoveryPoint(where, id);
  } catch (err) {
    findings.push({ kind: 'recovery-point', code: 'invalid', id, detail: errorText(err) });
    return undefined;
  }
}

/** A recovery point that seals its Secrets is only restorable where its KMS key can decrypt the data key. */
async function checkSecretsKey(m: RecoveryPointManifest, kmsFor: KmsClientFor, findings: Finding[], checks: string[]): Promise<boolean> {
  if (!m.secrets) return true;
  try {
    await SecretEnvelope.open(kmsFor, m.secrets);
    checks.push(`Secrets key: ${m.secrets.kmsKeyId} decrypts the recovery point's data key from here (kms:Decrypt)`);
    return true;
  } catch (err) {
    if (!(err instanceof SecretKeyError)) throw err;
    findings.push({ kind: 'secrets-key', code: 'unusable', type: 'kms-key', id: err.keyId, detail: err.message });
    return false;
  }
}

async function runDryRun(
  options: ReadinessOptions, deps: ReadinessDependencies, session: ClusterSession, reader: RecoveryPointReader, findings: Finding[], warnings: string[],
): Promise<{ summary: DryRunSummary; dependencies: Awaited<ReturnType<typeof dryRunRestore>>['dependencies']; untranslated: Array<{ type: string; id: string; objects: string[] }> } | undefined> {
  const restoreId = `${options.readinessId}-dry-run`;
  const report = { bucket: options.report.bucket, key: `${readinessFolderOf(options)}${restoreId}.json` };
  try {
    const { outcome, rows, dependencies } = await dryRunRestore({
      source: { bucket: options.source.bucket, folder: reader.folder }, report, restoreId,
      identifierMap: options.identifierMap, zoneMap: options.zoneMap, regionMap: options.regionMap,
      namespaceMapping: options.namespaceMapping, translate: options.translate,
      sourceClusterName: reader.manifest.cluster.name,
      concurrency: options.concurrency, deadlineMarginMs: options.deadlineMarginMs,
    }, {
      connection: session.connection, kube: session.kube, sourceS3: deps.sourceS3, reportS3: deps.reportS3, kmsFor: deps.kmsFor,
      logger: deps.logger, ...(deps.remainingTimeMs ? { remainingTimeMs: deps.remainingTimeMs } : {}),
    });
    const { counts, findings: dryFindings } = classifyDryRun(rows);
    findings.push(...dryFindings);
    for (const u of outcome.untranslatedReferences) {
      findings.push({ kind: 'untranslated-reference', code: 'points-at-source', type: u.type, id: u.id, objects: u.objects,
        detail: `still points at the source account or region after translation (add it to identifierMap, or accept the dependency on the source region)` });
    }
    warnings.push(...outcome.warnings);
    if (outcome.stoppedReason) {
      findings.push({ kind: 'not-checkable', code: 'lookup-failed', detail: `the dry run stopped before the end (${outcome.stoppedReason}: ${outcome.error ?? ''}); what it did not reach was not checked` });
    }
    return {
      summary: { restoreId, ...(outcome.report ? { report: outcome.report } : {}), ...counts, durationMs: outcome.durationMs },
      dependencies, untranslated: outcome.untranslatedReferences,
    };
  } catch (err) {
    if (err instanceof RestoreAccessError) {
      findings.push({ kind: 'admission', code: 'refused', detail: `the recovery delegate may not write to ${options.clusterName}: a restore would fail (${err.message})` });
      return undefined;
    }
    if (err instanceof RestorePreconditionError) {
      findings.push({ kind: 'recovery-point', code: 'invalid', detail: err.problems.join('; ') });
      return undefined;
    }
    if (err instanceof RestoreSourceError || err instanceof RestoreDeadlineError) {
      findings.push({ kind: 'not-checkable', code: 'lookup-failed', detail: `the dry run could not run: ${err.message}` });
      return undefined;
    }
    throw err;
  }
}

/** `<prefix><source cluster>/readiness/` */
function readinessFolderOf(options: Pick<ReadinessOptions, 'report' | 'source'>): string {
  return readinessFolder(options.report.prefix, options.source.clusterName);
}

async function writeReports(result: ReadinessResult, options: ReadinessOptions, s3: S3Client, warnings: string[]): Promise<void> {
  const base = `${readinessFolderOf(options)}${options.readinessId}`;
  const json = `${base}.json`;
  const html = `${base}.html`;
  result.report = `s3://${options.report.bucket}/${json}`;
  result.html = `s3://${options.report.bucket}/${html}`;
  try {
    await s3.send(new PutObjectCommand({ Bucket: options.report.bucket, Key: html, Body: renderReportHtml(result), ContentType: 'text/html; charset=utf-8', ServerSideEncryption: 'AES256' }));
    await s3.send(new PutObjectCommand({ Bucket: options.report.bucket, Key: json, Body: JSON.stringify(result, null, 2), ContentType: 'application/json', ServerSideEncryption: 'AES256' }));
  } catch (err) {
    delete result.report;
    delete result.html;
    warnings.push(`the readiness report could not be written to s3://${options.report.bucket}/${base}.{json,html}: ${errorText(err)}`);
  }
}

/** A reference as `<resource>/<namespace>/<name>`, the resource named as in the recovery point. */
function referenceLabeller(m: RecoveryPointManifest): (ref: DependencyReference) => string {
  const byKind = new Map(m.resources.map((r) => [`${r.group}\u0000${r.kind}`, r.name]));
  return (ref) => {
    const slash = ref.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
    const resource = byKind.get(`${group}\u0000${ref.kind}`) ?? ref.kind;
    return ref.namespace !== undefined ? `${resource}/${ref.namespace}/${ref.name}` : `${resource}/${ref.name}`;
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
