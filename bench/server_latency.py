#!/usr/bin/env python3
"""``stepflow serve`` under load: StartSyncExecution of a Pass machine over HTTP.

    .venv/bin/python bench/server_latency.py [REQUESTS] [THREADS]

Starts a server on a free port in a temporary data root, then measures
- latency: REQUESTS sequential StartSyncExecution calls through boto3 (what a program sees),
  p50 and p99;
- throughput: the same call as raw HTTP on keep-alive connections from THREADS threads at once,
  requests per second (client overhead kept small, so the server is what is measured).
The client runs on the same machine and shares its cores.
"""
from __future__ import annotations

import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}})


def main(argv: list[str]) -> int:
    requests = int(argv[0]) if argv else 1000
    threads = int(argv[1]) if len(argv) > 1 else 8
    import boto3
    from botocore.config import Config

    with tempfile.TemporaryDirectory() as home:
        server = subprocess.Popen([sys.executable, "-m", "stepflow", "serve", "--port", "0"],
                                  stdout=subprocess.PIPE, text=True, env={**os.environ, "STEPFLOW_HOME": home})
        try:
            url = server.stdout.readline().split()[-1]
            sfn = boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                               aws_secret_access_key="x", config=Config(inject_host_prefix=False, retries={"max_attempts": 0}))
            arn = sfn.create_state_machine(name="Bench", definition=PASS, roleArn="arn:aws:iam::123456789012:role/r",
                                           type="EXPRESS")["stateMachineArn"]
            for _ in range(50):  # warm up
                sfn.start_sync_execution(stateMachineArn=arn, input="{}")
            latencies = []
            for _ in range(requests):
                began = time.perf_counter()
                assert sfn.start_sync_execution(stateMachineArn=arn, input="{}")["status"] == "SUCCEEDED"
                latencies.append(time.perf_counter() - began)
            latencies.sort()
            rate = throughput(url, arn, requests, threads)
        finally:
            server.terminate()
            server.wait(10)
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}")
    print(f"StartSyncExecution (Pass machine) through boto3, {requests} sequential calls:")
    print(f"  p50 {statistics.median(latencies) * 1000:.2f} ms   p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.2f} ms")
    print(f"raw HTTP, {threads} keep-alive connections at once: {rate:.0f} requests/s")
    return 0


def throughput(url: str, arn: str, requests: int, threads: int) -> float:
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps({"stateMachineArn": arn, "input": "{}"})
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.StartSyncExecution"}
    per_thread = max(1, requests // threads)
    failures: list[str] = []

    def worker() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        for _ in range(per_thread):
            connection.request("POST", "/", body, headers)
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                failures.append(str(answer.status))
        connection.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    began = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    assert not failures, failures[:5]
    return per_thread * threads / elapsed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
