// The aws-local-stepfunctions half of scripts/compare-local-stepfunctions.sh: runs one state
// machine repeatedly with Task results from a MockConfigFile test case (the same file the flowc
// side reads), Wait states and retry pauses overridden to 0 ms, and every execution's event log
// consumed (full history). Prints one JSON object: executions, seconds, per_second,
// cpu_seconds (user and system CPU time of the timed loop, process.cpuUsage), events, output
// (of the last execution).
//
//   node compare-local-stepfunctions.mjs LOCAL_SFN_DIR MACHINE MOCKS TEST_CASE INPUT_JSON SECONDS

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, machinePath, mocksPath, testCase, inputJson, secondsArg] = process.argv.slice(2);
if (!dir || !machinePath || !mocksPath || !testCase || !inputJson) {
  console.error('usage: compare-local-stepfunctions.mjs LOCAL_SFN_DIR MACHINE MOCKS TEST_CASE INPUT_JSON [SECONDS]');
  process.exit(2);
}
const { StateMachine } = await import(pathToFileURL(join(dir, 'build', 'main.node.esm.js')).href);

const definition = JSON.parse(readFileSync(machinePath, 'utf8'));
const config = JSON.parse(readFileSync(mocksPath, 'utf8'));
const input = JSON.parse(inputJson);
const budgetMs = Number(secondsArg ?? 3) * 1000;

// The test case's states -> invocation ranges, as Step Functions Local reads them.
const machines = Object.values(config.StateMachines).filter((m) => m.TestCases?.[testCase]);
if (machines.length !== 1) {
  console.error(`test case ${testCase} must exist in exactly one state machine of ${mocksPath}`);
  process.exit(1);
}
const ranges = {};
for (const [state, responseName] of Object.entries(machines[0].TestCases[testCase])) {
  ranges[state] = Object.entries(config.MockedResponses[responseName]).map(([key, response]) => {
    const [lo, hi] = key.includes('-') ? key.split('-').map(Number) : [Number(key), Number(key)];
    return { lo, hi, response };
  });
}

// Waits and retry pauses cost no time, so both engines measure execution work only: every
// state's, those inside Parallel branches and Map processors too.
const waitTimeOverrides = {};
const retryIntervalOverrides = {};
const overrideIn = (states) => {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (state.Retry) retryIntervalOverrides[name] = 0;
    for (const branch of state.Branches ?? []) overrideIn(branch.States);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) overrideIn(processor.States);
  }
};
overrideIn(definition.States);

function handlers() {
  const counts = {};
  const out = {};
  for (const [state, list] of Object.entries(ranges)) {
    out[state] = async () => {
      const n = counts[state] ?? 0;
      counts[state] = n + 1;
      const hit = list.find((r) => r.lo <= n && n <= r.hi);
      if (!hit) throw new Error(`no mocked response for invocation ${n} of ${state}`);
      if (hit.response.Throw) {
        const error = new Error(hit.response.Throw.Cause ?? '');
        error.name = hit.response.Throw.Error;
        throw error;
      }
      return hit.response.Return;
    };
  }
  return out;
}

const machine = new StateMachine(definition, {
  validationOptions: { checkArn: false, checkPaths: false },
});

let executions = 0;
let events = 0;
let output;
const cpuBefore = process.cpuUsage();
const started = performance.now();
while (performance.now() - started < budgetMs) {
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers: handlers(), waitTimeOverrides, retryIntervalOverrides },
  });
  let count = 0;
  for await (const _event of execution.eventLogs) count += 1;
  output = await execution.result;
  events = count;
  executions += 1;
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({
  engine: 'aws-local-stepfunctions',
  executions,
  seconds,
  per_second: executions / seconds,
  cpu_seconds: (cpu.user + cpu.system) / 1e6,
  events,
  output,
}));
