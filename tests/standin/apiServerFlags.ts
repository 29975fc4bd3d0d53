import { atLeast, type KubeVersion } from './kubeVersion';

/** Where the stand-in's kube-apiserver finds what it needs; every path is a file the stand-in wrote. */
export interface ApiServerFlagInputs {
  etcdUrl: string;
  securePort: number;
  tlsCertFile: string;
  tlsKeyFile: string;
  clientCaFile: string;
  /** Static token file holding the stand-in's admin token (system:masters). */
  tokenAuthFile: string;
  /** Kubeconfig pointing at the control server's `/authenticate` (the EKS token webhook). */
  webhookConfigFile: string;
  /** `--authentication-token-webhook-cache-ttl`, e.g. `1s`. */
  webhookCacheTtl: string;
  /** `--watch-cache`; false only for the bench's largest sizes (StandInOptions.watchCache). */
  watchCache: boolean;
  /** `--max-mutating-requests-inflight` (RecoveryClusterOptions.maxMutatingRequestsInflight). @default 500 */
  maxMutatingRequestsInflight?: number;
  serviceAccountKeyFile: string;
  serviceAccountSigningKeyFile: string;
}

/**
 * The kube-apiserver command line for the server version it will run (issue 18): the stand-in reads
 * `kube-apiserver --version` once and passes it here, so an envtest binary of a current release starts
 * as well as the 1.20 built from Debian's sources.
 *
 * Checked against the Kubernetes changelogs and controller-runtime's envtest (which starts the same
 * binaries the same way):
 * - `--insecure-port`: 1.20 accepts only 0 (and 0 is what keeps it off); the flag is gone in 1.24
 *   ("unknown flag"), so it is passed only before 1.24.
 * - `--service-account-issuer` and `--service-account-signing-key-file`: required since 1.20, still
 *   required; `--api-audiences` unchanged.
 * - `--endpoint-reconciler-type=none`: still accepted (only `master-count` was deprecated); a loopback
 *   address cannot be an endpoint, so no reconciler may try to write one.
 * - `--enable-priority-and-fairness=false`: still accepted after APF went GA in 1.29; it keeps the classic
 *   max-in-flight limits below on every version, so the bench measures the same admission on each.
 * - `--authentication-token-webhook-version`: the default is still v1beta1 (the webhook answers in the
 *   version it is asked), so it is left to the default.
 * - `--token-auth-file`, `--disable-admission-plugins=ServiceAccount`, `--advertise-address`: unchanged.
 */
export function apiServerFlags(version: KubeVersion, i: ApiServerFlagInputs): string[] {
  return [
    `--etcd-servers=${i.etcdUrl}`,
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${i.securePort}`,
    ...(atLeast(version, 1, 24) ? [] : ['--insecure-port=0']),
    '--endpoint-reconciler-type=none',
    `--tls-cert-file=${i.tlsCertFile}`, `--tls-private-key-file=${i.tlsKeyFile}`,
    `--client-ca-file=${i.clientCaFile}`,
    '--authorization-mode=RBAC',
    `--token-auth-file=${i.tokenAuthFile}`,
    `--authentication-token-webhook-config-file=${i.webhookConfigFile}`,
    `--authentication-token-webhook-cache-ttl=${i.webhookCacheTtl}`,
    `--service-account-key-file=${i.serviceAccountKeyFile}`,
    `--service-account-signing-key-file=${i.serviceAccountSigningKeyFile}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    '--api-audiences=https://kubernetes.default.svc',
    '--service-cluster-ip-range=10.0.0.0/24',
    // No controller-manager runs, so no namespace gets a default service account: let pods in anyway.
    '--disable-admission-plugins=ServiceAccount',
    // EKS allows privileged containers; the CSI drivers' node DaemonSets (EBS, EFS) need them.
    '--allow-privileged=true',
    '--enable-priority-and-fairness=false',
    '--max-requests-inflight=1000', `--max-mutating-requests-inflight=${i.maxMutatingRequestsInflight ?? 500}`,
    ...(i.watchCache ? [] : ['--watch-cache=false']),
    '--v=1',
  ];
}
