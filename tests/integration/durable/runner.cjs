// Runs one durable restore on AWS's local durable execution runner (LocalDurableTestRunner, in-process
// checkpoint server), each invocation in a fresh process (invocation.cjs), like a Lambda sandbox.
// Needs Node 22 (the SDK's engine) and `npm run build`.
//   node runner.cjs EVENT.json RESULT.json
// Prints one JSON line per invocation process on stdout: {"process": n, "pid": pid}. A process that dies
// before answering (SIGKILL) is followed by a new one, started from the state the checkpoint server holds
// (GetDurableExecutionState), as the Lambda service invokes again after a sandbox died. The result also has
// each invocation process's CPU and peak RSS (`usage`) and the runner's own (`self`), for the bench
// (bench/durableRestoreBench.ts).
const { fork } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { LocalDurableTestRunner } = require('@aws/durable-execution-sdk-js-testing');

const [eventFile, resultFile] = process.argv.slice(2);
const INVOCATION = join(__dirname, 'invocation.cjs');
let processes = 0;
const died = [];
const usage = [];

/** A process's own CPU and peak RSS, from process.resourceUsage(). */
function usageOf(u) {
  return { userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000, maxRssKiB: u.maxRSS };
}

/** One invocation served by a child process; returns its output, or undefined when the process died. */
function invokeInChild(input, runnerClient) {
  return new Promise((resolve) => {
    const child = fork(INVOCATION, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const n = ++processes;
    process.stdout.write(`${JSON.stringify({ process: n, pid: child.pid })}\n`);
    let answered = false;
    child.on('message', async (m) => {
      if (m.type === 'done' || m.type === 'failed') {
        answered = true;
        if (m.usage) usage.push({ process: n, ...usageOf(m.usage) });
        resolve(m.type === 'done' ? m.output : { Status: 'FAILED', Error: { ErrorType: m.error.name, ErrorMessage: m.error.message } });
        return;
      }
      try {
        const result = m.type === 'checkpoint' ? await runnerClient.checkpoint(m.params) : await runnerClient.getExecutionState(m.params);
        if (child.connected) child.send({ type: 'reply', id: m.id, result });
      } catch (err) {
        if (child.connected) child.send({ type: 'reply', id: m.id, error: { name: err.name, message: err.message } });
      }
    });
    child.on('exit', (code, signal) => {
      if (answered) return;
      died.push({ process: n, code, signal });
      resolve(undefined);
    });
    child.send({ type: 'invoke', input });
  });
}

/** What the runner calls an invocation: a child process, and another after one that died. */
async function handlerFunction(event) {
  const runnerClient = event.durableExecutionClient;
  let input = { DurableExecutionArn: event.DurableExecutionArn, CheckpointToken: event.CheckpointToken, InitialExecutionState: event.InitialExecutionState };
  for (;;) {
    const output = await invokeInChild(input, runnerClient);
    if (output) return output;
    // The sandbox died mid-step: the next one starts from the checkpointed state, not from what this one held.
    const state = await runnerClient.getExecutionState({ DurableExecutionArn: input.DurableExecutionArn, CheckpointToken: input.CheckpointToken });
    input = { ...input, InitialExecutionState: { Operations: state.Operations, NextMarker: '' } };
  }
}

async function main() {
  const payload = JSON.parse(readFileSync(eventFile, 'utf8'));
  await LocalDurableTestRunner.setupTestEnvironment({ skipTime: false });
  try {
    const runner = new LocalDurableTestRunner({ handlerFunction });
    const execution = await runner.run({ payload });
    const operations = execution.getOperations().map((op) => ({ name: op.getName(), type: op.getType(), status: op.getStatus(), ...(op.getType() === 'STEP' ? { attempt: op.getStepDetails()?.attempt } : {}), startedAt: op.getStartTimestamp()?.getTime(), endedAt: op.getEndTimestamp()?.getTime() }));
    writeFileSync(resultFile, JSON.stringify({
      status: execution.getStatus(), result: execution.getResult(), error: execution.getStatus() === 'SUCCEEDED' ? undefined : execution.getError(),
      invocations: execution.getInvocations().length, processes, died, usage, self: usageOf(process.resourceUsage()), operations,
      // Everything the engine holds for this execution: what a test checks no Secret value reached.
      checkpoints: JSON.stringify(execution.getOperations().map((op) => op.getOperationData())),
    }));
  } finally {
    await LocalDurableTestRunner.teardownTestEnvironment();
  }
}
main().then(() => process.exit(0), (err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
