// The dry-run restore readiness relies on (DESIGN.md section 11): lib/restore's own pipeline with
// `?dryRun=All` on every write, so admission and validation run in the recovery cluster and nothing is
// stored. The objects are observed as the restore would write them (after translation), which is where the
// AWS dependencies to look up in the recovery account come from.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DependencyCollector, type AwsDependency } from '../dependencies';
import type { ClusterConnection } from '../eks';
import type { KubeTransport } from '../kube';
import type { DelegateLogger } from '../observability/DelegateLogger';
import { runRestore, type RestoreOutcome, type RestoreReportRow, type UntranslatedReferences } from '../restore';
import type { KmsClientFor } from '../secrets';
import { clusterPlace, restoreTranslation, type TranslationMode } from '../translation';

/** References kept per dependency: the report names the objects that need a resource. */
const REFERENCES_PER_DEPENDENCY = 50;

export interface DryRunOptions {
  source: { bucket: string; folder: string };
  /** Where the dry run's own per-object report goes. */
  report: { bucket: string; key: string };
  restoreId: string;
  identifierMap: Readonly<Record<string, string>>;
  /** As the restore would map zones and region names. @default {} */
  zoneMap?: Readonly<Record<string, string>>;
  regionMap?: Readonly<Record<string, string>>;
  namespaceMapping: Readonly<Record<string, string>>;
  translate: TranslationMode;
  /** The recovery point's cluster (from its manifest) and the recovery cluster: the cluster name follows too. */
  sourceClusterName: string;
  concurrency: number;
  deadlineMarginMs: number;
}

export interface DryRunDependencies {
  connection: ClusterConnection;
  kube: KubeTransport;
  sourceS3: S3Client;
  reportS3: S3Client;
  kmsFor?: KmsClientFor;
  logger: DelegateLogger;
  remainingTimeMs?: () => number;
}

export interface DryRunResult {
  outcome: RestoreOutcome;
  /** One row per object of the recovery point, as the dry run's report has them. */
  rows: RestoreReportRow[];
  /** The AWS dependencies of the objects as they would be restored. */
  dependencies: AwsDependency[];
}

export async function dryRunRestore(options: DryRunOptions, deps: DryRunDependencies): Promise<DryRunResult> {
  const collector = new DependencyCollector({ maxReferencesPerDependency: REFERENCES_PER_DEPENDENCY });
  const outcome = await runRestore({
    source: options.source, dryRun: true, existingResourcePolicy: 'skip', filters: {}, namespaceMapping: options.namespaceMapping,
    report: options.report, restoreId: options.restoreId, concurrency: options.concurrency, deadlineMarginMs: options.deadlineMarginMs,
  }, {
    connection: deps.connection, kube: deps.kube, sourceS3: deps.sourceS3, reportS3: deps.reportS3, logger: deps.logger,
    ...(deps.kmsFor ? { kmsFor: deps.kmsFor } : {}),
    ...(deps.remainingTimeMs ? { remainingTimeMs: deps.remainingTimeMs } : {}),
    // The same translation a restore would run (lib/translation restoreTranslation), so the dependencies looked
    // up are the ones the restored objects would name.
    translatorFor: (from) => {
      const { translator, untranslated } = restoreTranslation({
        source: clusterPlace(from, options.sourceClusterName),
        target: { ...clusterPlace(deps.connection, deps.connection.name), clusterName: deps.connection.name },
        identifierMap: options.identifierMap, zoneMap: options.zoneMap ?? {}, regionMap: options.regionMap ?? {}, mode: options.translate,
      });
      return { translator, untranslated: observingBoth(untranslated, collector) };
    },
  });
  const rows = outcome.report ? await readReportRows(deps.reportS3, options.report) : [];
  return { outcome, rows, dependencies: collector.result() };
}

/** The restore hands each object, translated, to one observer: the untranslated-reference finder and the collector both see it. */
function observingBoth(finder: UntranslatedReferences, collector: DependencyCollector): UntranslatedReferences {
  return {
    observe(object) {
      finder.observe(object);
      collector.observe(object);
    },
    references: () => finder.references(),
  };
}

/** The restore report's rows (`{...summary, objects: [rows]}`, lib/restore/RestoreReport). */
async function readReportRows(s3: S3Client, where: { bucket: string; key: string }): Promise<RestoreReportRow[]> {
  const out = await s3.send(new GetObjectCommand({ Bucket: where.bucket, Key: where.key }));
  const text = await out.Body?.transformToString('utf8');
  const parsed = JSON.parse(text ?? '{}') as { objects?: RestoreReportRow[] };
  return Array.isArray(parsed.objects) ? parsed.objects : [];
}
