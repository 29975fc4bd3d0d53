// Bundles the Lambda handler and the CLI with esbuild (CommonJS, Node 20, minified, with a metafile
// so the bundle's makeup can be inspected). Output: dist/delegate/index.js, dist/cli/index.js.
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
  logLevel: 'warning',
};

const targets = [
  { entryPoints: ['handlers/delegate.ts'], outfile: 'dist/delegate/index.js' },
  { entryPoints: ['handlers/cli.ts'], outfile: 'dist/cli/index.js' },
];
for (const t of targets) {
  const result = await build({ ...common, ...t });
  writeFileSync(t.outfile.replace(/index\.js$/, 'meta.json'), JSON.stringify(result.metafile));
}
