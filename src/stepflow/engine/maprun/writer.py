"""ResultWriter: a Map Run's results, as the state's output or exported to a local bucket.

With ``Resource`` (``arn:aws:states:::s3:putObject``) and ``Bucket``/``Prefix``, each child's
result goes, by status, to ``<Prefix>/<map run id>/SUCCEEDED_0.json``, ``FAILED_0.json`` or
``PENDING_0.json`` (only the files that have entries), then ``manifest.json`` lists them; the
state's output is ``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}`` (developer guide,
"ResultWriter"; test_map_state_result_writer recording). Entries stream to a spool file in the
data root while the children run, so a million results never sit in memory.

``WriterConfig``: ``Transformation`` NONE (the whole execution record; the default when
exporting), COMPACT (outputs only; the default otherwise) or FLATTEN (outputs, arrays
flattened); ``OutputType`` JSON (an array) or JSONL. A failed child is always written whole.
"""
from __future__ import annotations

import json
import tempfile
from typing import IO, Any

from stepflow.asl.errors import RESULT_WRITER_FAILED, ASLError, StepflowError
from stepflow.asl.paths import to_json
from stepflow.engine.context import iso_timestamp
from stepflow.engine.maprun.child import ChildResult
from stepflow.services.buckets import Buckets

PUT_OBJECT = "arn:aws:states:::s3:putObject"
TRANSFORMATIONS = ("NONE", "COMPACT", "FLATTEN")
OUTPUT_TYPES = ("JSON", "JSONL")
FILE_STATUSES = ("SUCCEEDED", "FAILED", "PENDING")


class ResultWriterFailed(ASLError):
    def __init__(self, cause: str) -> None:
        super().__init__(RESULT_WRITER_FAILED, cause)


def check_writer_config(config: dict[str, Any], exporting: bool) -> tuple[str, str]:
    """(Transformation, OutputType) with AWS's defaults."""
    transformation = config.get("Transformation", "NONE" if exporting else "COMPACT")
    output_type = config.get("OutputType", "JSON")
    if transformation not in TRANSFORMATIONS:
        raise ResultWriterFailed(f"Transformation must be one of {', '.join(TRANSFORMATIONS)}, got {transformation!r}")
    if output_type not in OUTPUT_TYPES:
        raise ResultWriterFailed(f"OutputType must be one of {', '.join(OUTPUT_TYPES)}, got {output_type!r}")
    return transformation, output_type


def execution_record(result: ChildResult, state_machine_arn: str) -> dict[str, Any]:
    """A child execution as the exported results show it (NONE)."""
    record: dict[str, Any] = {
        "ExecutionArn": result.execution_arn,
        "Input": to_json(result.input),
        "InputDetails": {"Included": True},
        "Name": result.name,
    }
    if result.status == "SUCCEEDED":
        record["Output"] = to_json(result.output)
        record["OutputDetails"] = {"Included": True}
    else:
        if result.error is not None:
            record["Error"] = result.error
        if result.cause is not None:
            record["Cause"] = result.cause
    record.update({
        "RedriveCount": 0,
        "StartDate": iso_timestamp(result.start_date),
        "StateMachineArn": state_machine_arn,
        "Status": result.status,
    })
    if result.stop_date is not None:
        record["StopDate"] = iso_timestamp(result.stop_date)
    return record


def transformed(result: ChildResult, transformation: str, state_machine_arn: str) -> list[Any]:
    """The entries one child contributes (FLATTEN spreads an array output into several)."""
    if result.status != "SUCCEEDED" or transformation == "NONE":
        return [execution_record(result, state_machine_arn)]
    if transformation == "FLATTEN" and isinstance(result.output, list):
        return list(result.output)
    return [result.output]


class ResultExport:
    """Spools entries per status while the children run, then writes the files and manifest."""

    def __init__(self, buckets: Buckets, bucket: Any, prefix: Any, map_run_arn: str,
                 transformation: str, output_type: str, state_machine_arn: str) -> None:
        if not isinstance(bucket, str):
            raise ResultWriterFailed("the ResultWriter's Parameters need a Bucket (a string)")
        if not isinstance(prefix, str):
            raise ResultWriterFailed("the ResultWriter's Prefix must be a string")
        try:
            if not buckets.exists(bucket):
                raise ResultWriterFailed(f"NoSuchBucket: the bucket {bucket!r} does not exist")
        except StepflowError as problem:
            raise ResultWriterFailed(str(problem)) from None
        self.buckets, self.bucket = buckets, bucket
        folder = prefix if prefix == "" or prefix.endswith("/") else prefix + "/"
        self.folder = folder + map_run_arn.rsplit(":", 1)[1] + "/"
        self.map_run_arn = map_run_arn
        self.transformation, self.output_type = transformation, output_type
        self.state_machine_arn = state_machine_arn
        self._spools: dict[str, IO[bytes]] = {}
        self._counts: dict[str, int] = {}

    def add(self, result: ChildResult | None, status: str | None = None, item: Any = None) -> None:
        """Record a finished child, or (``result`` None) an item that never ran: PENDING."""
        if result is None:
            status, entries = "PENDING", [{"Input": to_json(item), "InputDetails": {"Included": True}}]
        else:
            status = "SUCCEEDED" if result.status == "SUCCEEDED" else "FAILED"
            entries = transformed(result, self.transformation, self.state_machine_arn)
        spool = self._spools.get(status)
        if spool is None:
            spool = self._spools[status] = tempfile.TemporaryFile(dir=self.buckets.staging_folder())
        for entry in entries:
            separator = b"\n" if self.output_type == "JSONL" else b","
            if self._counts.get(status):
                spool.write(separator)
            spool.write(to_json(entry).encode())
            self._counts[status] = self._counts.get(status, 0) + 1

    def finish(self) -> dict[str, Any]:
        """Write the result files and the manifest; the state's output."""
        files: dict[str, list[dict[str, Any]]] = {status: [] for status in ("FAILED", "PENDING", "SUCCEEDED")}
        try:
            for status in FILE_STATUSES:
                spool = self._spools.pop(status, None)
                if spool is None:
                    continue
                with spool:
                    key = f"{self.folder}{status}_0.json"
                    size = self._store(key, spool)
                files[status].append({"Key": key, "Size": size})
            manifest = {"DestinationBucket": self.bucket, "MapRunArn": self.map_run_arn, "ResultFiles": files}
            manifest_key = self.folder + "manifest.json"
            self.buckets.put(self.bucket, manifest_key, json.dumps(manifest, indent=2).encode())
        except StepflowError as problem:
            raise ResultWriterFailed(str(problem)) from None
        except OSError as problem:
            raise ResultWriterFailed(f"cannot write the results: {problem.strerror or problem}") from None
        return {"MapRunArn": self.map_run_arn, "ResultWriterDetails": {"Bucket": self.bucket, "Key": manifest_key}}

    def _store(self, key: str, spool: IO[bytes]) -> int:
        spool.seek(0)
        chunks = iter(lambda: spool.read(1 << 20), b"")
        if self.output_type == "JSON":
            chunks = _wrapped(chunks)
        return self.buckets.put_stream(self.bucket, key, chunks)

    def discard(self) -> None:
        for spool in self._spools.values():
            spool.close()
        self._spools.clear()


def _wrapped(chunks: Any) -> Any:
    yield b"["
    yield from chunks
    yield b"]"
