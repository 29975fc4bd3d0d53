#!/usr/bin/env node
// Invokes the bundled Lambda handler (dist/delegate/index.js) with an event file, the way
// `sam local invoke -e FILE` would: a fresh process, the function's environment, a Lambda-like context.
//   node scripts/invoke-bundle.cjs events/backup.json [--response-file out.json]
// The response is printed as JSON on the last line of stdout (and written to --response-file if given).
// LAMBDA_TIMEOUT_MS (default 900000) sets what context.getRemainingTimeInMillis() counts down from.
const { readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const [eventFile, flag, responseFile] = process.argv.slice(2);
if (!eventFile) {
  console.error('usage: invoke-bundle.cjs EVENT.json [--response-file FILE]');
  process.exit(2);
}
const { handler } = require(join(__dirname, '..', 'dist', 'delegate', 'index.js'));
const event = JSON.parse(readFileSync(resolve(eventFile), 'utf8'));
const deadline = Date.now() + Number(process.env.LAMBDA_TIMEOUT_MS || 900000);
const context = {
  awsRequestId: `local-${process.pid}`,
  functionName: 'eks-delegate-local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
handler(event, context).then(
  (response) => {
    const text = JSON.stringify(response);
    if (flag === '--response-file' && responseFile) writeFileSync(responseFile, text);
    process.stdout.write(`${text}\n`);
  },
  (err) => {
    console.error(JSON.stringify({ errorType: err && err.name, errorMessage: err && err.message }));
    process.exitCode = 1;
  },
);
