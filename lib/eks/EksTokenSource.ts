import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CredentialsError } from './errors';
import { mintEksToken, type EksToken } from './token';

export interface EksTokenSourceOptions {
  clusterName: string;
  region: string;
  /** Where credentials come from; called for every mint so that rotated Lambda credentials are picked up. */
  credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity;
  /** Clock, replaceable in tests. @default () => new Date() */
  now?: () => Date;
  /**
   * Re-mint this long before the client-side expiry (14 minutes after signing), so a request that starts
   * just before expiry still carries a valid token when it reaches the server.
   * @default 60_000
   */
  refreshMarginMs?: number;
}

/**
 * Hands out a valid EKS token, minting a new one when the cached one nears its 14-minute client lifetime
 * (the server refuses tokens older than 15 minutes), or when the caller says the server rejected it.
 */
export class EksTokenSource {
  readonly #options: EksTokenSourceOptions;
  #current: EksToken | undefined;
  #pending: Promise<EksToken> | undefined;
  #mints = 0;

  constructor(options: EksTokenSourceOptions) {
    this.#options = options;
  }

  /** How many tokens have been minted (for logs and tests). */
  get mintCount(): number {
    return this.#mints;
  }

  async getToken(): Promise<string> {
    const now = this.#now();
    const margin = this.#options.refreshMarginMs ?? 60_000;
    if (this.#current && this.#current.expiresAt.getTime() - margin > now.getTime()) return this.#current.token;
    // Concurrent callers share one mint.
    this.#pending ??= this.#mint().finally(() => {
      this.#pending = undefined;
    });
    return (await this.#pending).token;
  }

  /** Drops the cached token, e.g. after a 401, so the next getToken() mints a fresh one. */
  invalidate(token?: string): void {
    if (token === undefined || this.#current?.token === token) this.#current = undefined;
  }

  async #mint(): Promise<EksToken> {
    const { credentials } = this.#options;
    let identity: AwsCredentialIdentity;
    try {
      identity = typeof credentials === 'function' ? await credentials() : credentials;
    } catch (cause) {
      throw new CredentialsError('no AWS credentials to sign the EKS token with', { cause, clusterName: this.#options.clusterName });
    }
    const token = await mintEksToken({
      clusterName: this.#options.clusterName,
      region: this.#options.region,
      credentials: identity,
      now: this.#now(),
    });
    this.#current = token;
    this.#mints += 1;
    return token;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}
