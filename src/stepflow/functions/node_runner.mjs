// A Node.js function's worker process: node node_runner.mjs IN OUT HANDLER
// (the protocol of stepflow/functions/worker_protocol.py). The handler's module is found in the
// function's code folder (LAMBDA_TASK_ROOT) as .mjs, .js or .cjs and imported once; async
// handlers and callback handlers both work. console.log goes to stdout: logs, never the result.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

const [requestsFd, responsesFd, handlerName] = process.argv.slice(2).map((v, i) => (i < 2 ? Number(v) : v));
const send = (message) => fs.writeSync(responsesFd, JSON.stringify(message) + "\n");
const errorOf = (error) => ({
  errorType: (error && error.name) || "Error",
  errorMessage: (error && error.message) || String(error),
  trace: error && error.stack ? String(error.stack).split("\n") : [],
});

async function load() {
  const dot = handlerName.lastIndexOf(".");
  const modulePath = handlerName.slice(0, dot);
  const exportName = handlerName.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT;
  const file = [".mjs", ".js", ".cjs"].map((ext) => path.join(root, modulePath + ext)).find((f) => fs.existsSync(f));
  if (!file) {
    throw Object.assign(new Error(`Cannot find module '${modulePath}'`), { name: "Runtime.ImportModuleError" });
  }
  const module = await import(pathToFileURL(file).href);
  const handler = module[exportName] ?? (module.default && module.default[exportName]);
  if (typeof handler !== "function") {
    throw Object.assign(new Error(`${modulePath}.${exportName} is undefined or not exported`), { name: "Runtime.HandlerNotFound" });
  }
  return handler;
}

function invoke(handler, event, fields) {
  const deadline = Date.now() + fields.remaining_ms;
  const context = {
    functionName: fields.function_name, functionVersion: fields.function_version,
    invokedFunctionArn: fields.invoked_function_arn, memoryLimitInMB: String(fields.memory_limit_in_mb),
    awsRequestId: fields.aws_request_id, logGroupName: fields.log_group_name, logStreamName: fields.log_stream_name,
    callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === "function") returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    } catch (error) {
      reject(error);
    }
  });
}

let handler;
try {
  handler = await load();
} catch (error) {
  send({ init_error: errorOf(error) });
  process.exit(1);
}
send({ ready: true });
const lines = readline.createInterface({ input: fs.createReadStream(null, { fd: requestsFd }) });
for await (const line of lines) {
  const request = JSON.parse(line);
  try {
    const result = await invoke(handler, request.event, request.context);
    send({ result: result === undefined ? null : result });
  } catch (error) {
    send({ error: errorOf(error) });
  }
}
