// Which AWS resources readiness looks up in the recovery account, from the dependencies of the objects as
// the restore would write them (after translation) and the generated ids an operator gave in identifierMap.
import { classifyArn, parseArn, parseImageReference, RESOURCE_ID_PATTERNS, type AwsDependency, type DependencyReference } from '../dependencies';
import type { LookupTarget, LookupType } from '../aws/lookup';

/** A lookup and the objects that need the resource. */
export interface PlannedLookup {
  target: LookupTarget;
  objects: string[];
}

export interface LookupPlan {
  lookups: PlannedLookup[];
  /** Dependencies readiness has no read-only lookup for (public images, S3 buckets, WAF ACLs, ...): listed, not judged. */
  unchecked: Array<{ type: string; id: string }>;
}

/** Dependency types (lib/dependencies) and the lookup each gets; ECR repositories are looked up per image. */
const LOOKUP_OF: Readonly<Record<string, LookupType>> = {
  'iam-role': 'iam-role', 'kms-key': 'kms-key', 'acm-certificate': 'acm-certificate', 'efs-file-system': 'efs-file-system',
  'efs-access-point': 'efs-access-point', 'ebs-volume': 'ebs-volume', 'ebs-snapshot': 'ebs-snapshot',
  'ec2-security-group': 'ec2-security-group', 'ec2-subnet': 'ec2-subnet', 'arn:sns': 'sns-topic', 'arn:sqs': 'sqs-queue',
};

export interface PlanInput {
  dependencies: Iterable<AwsDependency>;
  /** identifierMap's replacements: generated ids the operator says exist on the recovery side. */
  identifierMapTargets: Iterable<string>;
  /** `type\0id` of references still pointing at the source (reported as untranslated, not looked up here). */
  untranslated: ReadonlySet<string>;
  recoveryRegion: string;
  /** `<resource>/<namespace>/<name>` for a reference. */
  labelOf: (ref: DependencyReference) => string;
}

export function planLookups(input: PlanInput): LookupPlan {
  const lookups = new Map<string, PlannedLookup>();
  const unchecked: LookupPlan['unchecked'] = [];
  const plan = (target: LookupTarget, objects: string[]): void => {
    const key = `${target.type}\u0000${target.id}`;
    const found = lookups.get(key);
    if (found) found.objects = [...new Set([...found.objects, ...objects])];
    else lookups.set(key, { target, objects: [...new Set(objects)] });
  };
  for (const dep of input.dependencies) {
    if (input.untranslated.has(`${dep.type}\u0000${dep.id}`)) continue;
    if (dep.type === 'ecr-repository') {
      // One lookup per image as written: the tag or digest the workloads pull is what must be there.
      const byImage = new Map<string, string[]>();
      for (const ref of dep.references) if (ref.image) byImage.set(ref.image, [...(byImage.get(ref.image) ?? []), input.labelOf(ref)]);
      for (const [image, objects] of byImage) {
        const target = ecrImageTarget(image);
        if (target) plan(target, objects);
      }
      continue;
    }
    const type = LOOKUP_OF[dep.type];
    if (!type) {
      if (dep.type !== 'external-image') unchecked.push({ type: dep.type, id: dep.id });
      continue;
    }
    plan({ type, id: dep.id, region: dep.region || input.recoveryRegion }, dep.references.map(input.labelOf));
  }
  for (const id of input.identifierMapTargets) {
    const target = generatedIdTarget(id, input.recoveryRegion);
    if (target) plan(target, []);
  }
  return { lookups: [...lookups.values()], unchecked };
}

/** An ECR image reference as a lookup of its exact tag or digest. */
export function ecrImageTarget(image: string): LookupTarget | undefined {
  const parsed = parseImageReference(image);
  if (!parsed || parsed.kind !== 'ecr') return undefined;
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = digest === undefined && colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  return {
    type: 'ecr-image', id: image, region: parsed.region,
    image: { registryId: parsed.account, repository: parsed.repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), ...(!tag && !digest ? { tag: 'latest' } : {}) },
  };
}

/** An identifierMap replacement (an ARN or a bare generated id) as a lookup, when readiness can check its type. */
export function generatedIdTarget(id: string, recoveryRegion: string): LookupTarget | undefined {
  const arn = parseArn(id);
  if (arn) {
    const classified = classifyArn(arn);
    const type = classified ? LOOKUP_OF[classified.type] : undefined;
    return type && classified ? { type, id: classified.id, region: arn.region || recoveryRegion } : undefined;
  }
  const bare: Array<[RegExp, LookupType]> = [
    [RESOURCE_ID_PATTERNS.volume, 'ebs-volume'], [RESOURCE_ID_PATTERNS.snapshot, 'ebs-snapshot'],
    [RESOURCE_ID_PATTERNS.fileSystem, 'efs-file-system'], [RESOURCE_ID_PATTERNS.accessPoint, 'efs-access-point'],
    [RESOURCE_ID_PATTERNS.securityGroup, 'ec2-security-group'], [RESOURCE_ID_PATTERNS.subnet, 'ec2-subnet'],
  ];
  const match = bare.find(([pattern]) => pattern.test(id));
  return match ? { type: match[1], id, region: recoveryRegion } : undefined;
}
