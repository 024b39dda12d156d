"""A real ``stepflow serve`` process per test module, reached over HTTP on a free port."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ROLE = "arn:aws:iam::123456789012:role/service-role/StepFunctions"


class Server:
    """``stepflow serve --port 0 ...`` started in ``home``; ``url`` once it said it listens."""

    def __init__(self, home: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.home, self.args = home, args
        self.env = {**os.environ, "STEPFLOW_HOME": str(home), **(env or {})}
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> Server:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "stepflow", "serve", "--port", "0", *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
        )
        line = self.process.stdout.readline()  # the ready line, or "" when it died first
        if not line.startswith("listening on http://"):
            self.process.kill()
            raise AssertionError(f"server did not start: {line!r} {self.process.stderr.read()}")
        self.url = line.split()[-1]
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def kill(self) -> None:
        """End it as a crash would: no chance to finish anything."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("serve"), "--resources", str(DATA / "resources.py")).start()
    yield running
    running.stop()


def boto3_client(url: str, service: str = "stepfunctions", **config):
    """boto3's client for ``url``. StartSyncExecution and TestState have a "sync-" host prefix on
    AWS; a local endpoint is reached without it (``inject_host_prefix=False``), as with Step
    Functions Local."""
    import boto3
    from botocore.config import Config

    config.setdefault("inject_host_prefix", False)
    return boto3.client(
        service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="any",
        aws_secret_access_key="any", config=Config(retries={"max_attempts": 0}, **config),
    )


@pytest.fixture(scope="module")
def sfn(server):
    return boto3_client(server.url)
