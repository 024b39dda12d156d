// Runs the comparison workloads on aws-local-stepfunctions (the peer), for bench/peers.py.
// Usage: node peer.cjs PEER_PACKAGE_DIR SPEC.json ROUNDS; prints {name: [milliseconds per run]}.
"use strict";
const fs = require("fs");
const { StateMachine } = require(process.argv[2]);

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
  const rounds = Number(process.argv[4]);
  const results = {};
  for (const workload of spec) {
    const machine = new StateMachine(workload.definition, { validationOptions: { checkPaths: false } });
    const handlers = {};
    for (const state of workload.echo_states || []) handlers[state] = async (input) => input;
    const options = { overrides: { taskResourceLocalHandlers: handlers } };
    await machine.run(workload.input, options).result; // warm-up
    const times = [];
    for (let i = 0; i < rounds; i++) {
      const start = process.hrtime.bigint();
      await machine.run(workload.input, options).result;
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    results[workload.name] = times;
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
