import type { StandIn } from './StandIn';

export default async function globalTeardown(): Promise<void> {
  const standIn = (globalThis as { __EKS_STANDIN__?: StandIn }).__EKS_STANDIN__;
  await standIn?.stop();
}
