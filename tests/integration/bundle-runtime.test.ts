import { execFileSync } from 'node:child_process';
import { BUNDLED_HANDLER, delegateNode, run } from './helpers';

// `npm test` runs this suite twice: once with the bundles on the test runner's node, once with DELEGATE_NODE
// set to the pinned Node 22 of scripts/node22.sh, the major of the Lambda runtime (nodejs22.x). This test
// names, and checks, the node every bundle of the pass runs on.
const node = delegateNode();
const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();

it(`runs the bundles on ${version}${process.env.DELEGATE_NODE ? ' (DELEGATE_NODE)' : ' (the test runner\'s node)'}`, async () => {
  const probe = `const { handler } = require(${JSON.stringify(BUNDLED_HANDLER)});
    process.stdout.write(JSON.stringify({ node: process.version, handler: typeof handler, crc32: typeof require('node:zlib').crc32 }));`;
  const out = await run(node, ['-e', probe], { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  expect(out.stderr).toBe('');
  const loaded = JSON.parse(out.stdout) as { node: string; handler: string; crc32: string };
  expect(loaded).toMatchObject({ node: version, handler: 'function' });
  if (process.env.DELEGATE_NODE) {
    expect(version).toMatch(/^v22\./);
    // The SDK computes the uploads' CRC32 checksums with it (tests/unit/aws/uploadChecksum.test.ts).
    expect(loaded.crc32).toBe('function');
  } else {
    expect(version).toBe(process.version);
  }
});
