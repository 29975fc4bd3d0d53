// A child process of `npm run bench -- --cpu-floor`: the baseline client alone, on the core it is pinned to,
// so its CPU is measured as the delegate's is. Reads its job from the JSON file named by argv[2], prints one
// JSON line: BaselineResult.
import { readFileSync } from 'node:fs';
import { ApiConnection } from './ApiConnection';
import { baselineFetch, type ListedResource } from './baselineFetch';

interface FloorJob {
  apiServerUrl: string;
  caPem: string;
  token: string;
  resources: ListedResource[];
  pageSize: number;
  /** false: bytes received and dropped (the receive floor); true: every page JSON.parse'd as well. */
  parse: boolean;
  /** Lists everything this many times (a busy API server for the interference measurement). @default 1 */
  repeat?: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as FloorJob;
  const api = new ApiConnection({ apiServerUrl: job.apiServerUrl, caPem: job.caPem, token: job.token, maxSockets: 1 });
  try {
    for (let i = 0; i < (job.repeat ?? 1); i++) {
      const result = await baselineFetch(api, job.resources, job.pageSize, { parse: job.parse });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } finally {
    api.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
