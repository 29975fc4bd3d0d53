// Bundles the Lambda handler and the CLI with esbuild (CommonJS, Node 20, minified, with a metafile
// so the bundle's makeup can be inspected). Output: dist/delegate/index.js, dist/cli/index.js,
// dist/durable-restore/index.js.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // BUILD_NO_MINIFY=1: readable names and line numbers in CPU profiles (npm run bench -- --cpu-prof DIR).
  minify: process.env.BUILD_NO_MINIFY !== '1',
  sourcemap: false,
  metafile: true,
  legalComments: 'none',
  // Error classes are told apart by name in logs and responses; minified names would say nothing.
  keepNames: true,
  // node-fetch 2 (under @kubernetes/client-node 1.x, in the CLI) reaches node's built-in punycode, which Node 22
  // deprecates at run time: every CLI command, `token` run by kubectl included, printed DEP0040 on stderr.
  // The npm package is the same code without the warning.
  alias: { punycode: 'punycode/' },
  logLevel: 'warning',
};

const targets = [
  { entryPoints: ['handlers/delegate.ts'], outfile: 'dist/delegate/index.js' },
  { entryPoints: ['handlers/cli.ts'], outfile: 'dist/cli/index.js' },
  // The durable restore function (template.yaml DurableRestoreFunction): its own bundle, so the delegate's
  // stays free of the durable execution SDK.
  { entryPoints: ['handlers/durableRestore.ts'], outfile: 'dist/durable-restore/index.js' },
];
for (const t of targets) {
  const result = await build({ ...common, ...t });
  writeFileSync(t.outfile.replace(/index\.js$/, 'meta.json'), JSON.stringify(result.metafile));
}
