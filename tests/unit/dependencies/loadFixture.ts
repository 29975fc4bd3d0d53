import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Names of the JSON manifests under fixtures/. */
export type FixtureName =
  | 'configmap-app-config'
  | 'configmap-aws-auth'
  | 'cronjob-init-containers'
  | 'deployment-images'
  | 'ec2nodeclass-karpenter'
  | 'ingress-alb'
  | 'ingress-waf-classic'
  | 'ingressclassparams-alb'
  | 'pod-ephemeral-container'
  | 'pv-ebs-csi'
  | 'pv-efs-access-point'
  | 'pv-efs-prefixed-handle'
  | 'pv-in-tree-ebs'
  | 'rollout-argo'
  | 'service-nlb'
  | 'serviceaccount-irsa'
  | 'storageclass-ebs-kms'
  | 'storageclass-ebs-kms-keyid'
  | 'storageclass-efs'
  | 'volumesnapshotcontent-ebs';

/** Loads one fixture manifest as the plain JSON object the backup would hand the collector. */
export function loadFixture(name: FixtureName): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`fixture ${name} is not an object`);
  return parsed as Record<string, unknown>;
}
