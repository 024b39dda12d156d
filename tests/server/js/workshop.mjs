// The AWS SDK for JavaScript v3 against stepflow serve: node workshop.mjs ENDPOINT
// Prints one JSON object with what the SDK parsed, for the Python test to check.
import {
  SFNClient, CreateStateMachineCommand, StartExecutionCommand, DescribeExecutionCommand,
  GetExecutionHistoryCommand, ListStateMachinesCommand, DescribeExecutionCommand as Describe,
} from "@aws-sdk/client-sfn";

const client = new SFNClient({
  endpoint: process.argv[2], region: "us-east-1", disableHostPrefix: true,
  credentials: { accessKeyId: "any", secretAccessKey: "any" }, maxAttempts: 1,
});
const definition = JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", Result: { from: "node" }, End: true } } });
const created = await client.send(new CreateStateMachineCommand({
  name: "FromNode", definition, roleArn: "arn:aws:iam::123456789012:role/r",
}));
const started = await client.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, input: "{}" }));
let described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
while (described.status === "RUNNING") {
  await new Promise((r) => setTimeout(r, 20));
  described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
}
const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
const listed = await client.send(new ListStateMachinesCommand({}));
let missing = null;
try {
  await client.send(new Describe({ executionArn: created.stateMachineArn.replace("stateMachine", "execution") + ":nope" }));
} catch (error) {
  missing = { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
}
console.log(JSON.stringify({
  stateMachineArn: created.stateMachineArn,
  creationDateIsDate: created.creationDate instanceof Date,
  status: described.status,
  output: described.output,
  startDateIsDate: described.startDate instanceof Date,
  eventTypes: history.events.map((e) => e.type),
  names: listed.stateMachines.map((m) => m.name),
  missing,
}));
