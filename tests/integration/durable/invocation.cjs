// One invocation of the bundled durable restore function (dist/durable-restore/index.js) in a process of its
// own, as a Lambda sandbox runs one: the runner process (runner.cjs) sends the invocation input over IPC and
// serves the checkpoint API (CheckpointDurableExecution, GetDurableExecutionState) back over IPC from AWS's
// local checkpoint server. Killing this process is killing the invocation mid-step.
const { join } = require('node:path');
const { DurableExecutionInvocationInputWithClient } = require('@aws/durable-execution-sdk-js');

const { handler } = require(join(__dirname, '..', '..', '..', 'dist', 'durable-restore', 'index.js'));
let next = 0;
const pending = new Map();

/** The checkpoint API, relayed to the runner process. */
function call(type, params) {
  const id = ++next;
  process.send({ type, id, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
const client = {
  checkpoint: (params) => call('checkpoint', params),
  getExecutionState: (params) => call('getExecutionState', params),
};

process.on('message', (m) => {
  if (m.type === 'reply') {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
    else p.resolve(m.result);
    return;
  }
  if (m.type !== 'invoke') return;
  const deadline = Date.now() + Number(process.env.LAMBDA_TIMEOUT_MS || 900000);
  const context = {
    awsRequestId: `local-${process.pid}`, functionName: 'eks-delegate-durable-restore-local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  handler(new DurableExecutionInvocationInputWithClient(m.input, client), context).then(
    // The process's own CPU and peak RSS (process.resourceUsage), for the bench's figures.
    (output) => process.send({ type: 'done', output, usage: process.resourceUsage() }, () => process.exit(0)),
    (err) => process.send({ type: 'failed', error: { name: err && err.name, message: err && err.message } }, () => process.exit(1)),
  );
});
