"""ItemReader: a Map Run's items, streamed from the local buckets (``services/buckets.py``).

``arn:aws:states:::s3:getObject`` reads one object as ``ReaderConfig.InputType`` says: JSON (an
array), JSONL (one value per line), CSV (rows as objects keyed by the header), MANIFEST (an S3
inventory's CSV files), PARQUET (rows, through pyarrow: the ``parquet`` extra).
``arn:aws:states:::s3:listObjectsV2`` lists a bucket (``Prefix``), one item per object, shaped as
AWS gives them. JSONL, CSV, PARQUET and listings are read lazily, so a large object never sits in
memory whole. Every problem is ``States.ItemReaderFailed`` with the cause AWS records where known
(LocalStack's AWS-validated ``test_base_scenarios`` snapshots).
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import itertools
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from stepflow.asl.errors import ITEM_READER_FAILED, ASLError, StepflowError
from stepflow.services.buckets import Buckets

GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS_V2 = "arn:aws:states:::s3:listObjectsV2"
RESOURCES = (GET_OBJECT, LIST_OBJECTS_V2)
INPUT_TYPES = ("JSON", "JSONL", "CSV", "MANIFEST", "PARQUET")
# AWS's CSVDelimiter names.
DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
MAX_ITEMS_LIMIT = 100_000_000  # AWS: MaxItems up to 100,000,000


class ItemReaderFailed(ASLError):
    def __init__(self, cause: str) -> None:
        super().__init__(ITEM_READER_FAILED, cause)


@dataclass(frozen=True)
class ReaderConfig:
    """``ReaderConfig`` after its paths and expressions were read: what to parse and how much."""

    input_type: str | None = None
    csv_header_location: str = "FIRST_ROW"
    csv_headers: tuple[str, ...] | None = None
    csv_delimiter: str = "COMMA"
    max_items: int = 0  # 0: all

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> ReaderConfig:
        """Check a rendered ReaderConfig; a bad value fails the Map Run as AWS does."""
        max_items = fields.get("MaxItems", 0)
        if isinstance(max_items, bool) or not isinstance(max_items, int):
            raise ItemReaderFailed(f"field MaxItems must be an integer, got {max_items!r}")
        if max_items < 0:
            raise ItemReaderFailed("field MaxItems must be positive")  # AWS's words (MaxItemsPath -1)
        if max_items > MAX_ITEMS_LIMIT:
            raise ItemReaderFailed(f"field MaxItems must be at most {MAX_ITEMS_LIMIT}")
        headers = fields.get("CSVHeaders")
        if headers is not None:
            if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
                raise ItemReaderFailed("CSVHeaders must be an array of strings")
            if len(set(headers)) != len(headers):
                raise ItemReaderFailed("CSV headers cannot contain duplicates.")  # AWS's words
            headers = tuple(headers)
        delimiter = fields.get("CSVDelimiter", "COMMA")
        if delimiter not in DELIMITERS:
            raise ItemReaderFailed(f"CSVDelimiter must be one of {', '.join(DELIMITERS)}, got {delimiter!r}")
        return cls(
            input_type=fields.get("InputType"),
            csv_header_location=fields.get("CSVHeaderLocation", "FIRST_ROW"),
            csv_headers=headers,
            csv_delimiter=delimiter,
            max_items=max_items,
        )


def read_items(buckets: Buckets, resource: str, parameters: Any, config: ReaderConfig) -> Iterator[Any]:
    """The items of one ItemReader, lazily, at most ``config.max_items`` of them (0: all)."""
    if not isinstance(parameters, dict):
        raise ItemReaderFailed("the ItemReader's Parameters must be an object with Bucket (and Key)")
    bucket = parameters.get("Bucket")
    if not isinstance(bucket, str):
        raise ItemReaderFailed("the ItemReader's Parameters need a Bucket (a string)")
    if resource == LIST_OBJECTS_V2:
        items = _guarded(lambda: list_objects(buckets, bucket, parameters.get("Prefix", "")))
    elif resource == GET_OBJECT:
        key = parameters.get("Key")
        if not isinstance(key, str):
            raise ItemReaderFailed("the ItemReader's Parameters need a Key (a string) for s3:getObject")
        items = _guarded(lambda: object_items(buckets, bucket, key, config))
    else:
        raise ItemReaderFailed(f"unsupported ItemReader Resource {resource!r}; use one of {', '.join(RESOURCES)}")
    return itertools.islice(items, config.max_items) if config.max_items else items


def _guarded(open_items: Callable[[], Iterator[Any]]) -> Iterator[Any]:
    """Storage problems (no such bucket or key, an unreadable file) surface as ItemReaderFailed."""
    try:
        yield from open_items()
    except ItemReaderFailed:
        raise
    except StepflowError as problem:
        raise ItemReaderFailed(str(problem)) from None
    except OSError as problem:
        raise ItemReaderFailed(f"cannot read the item source: {problem.strerror or problem}") from None


def list_objects(buckets: Buckets, bucket: str, prefix: str) -> Iterator[dict[str, Any]]:
    """listObjectsV2's Contents, one item each: Etag, Key, LastModified (epoch seconds), Size,
    StorageClass, as AWS hands them to children (test_map_item_reader_base_list_objects_v2)."""
    if not isinstance(prefix, str):
        raise ItemReaderFailed("Prefix must be a string")
    for key in buckets.keys(bucket):
        if not key.startswith(prefix):
            continue
        path = buckets.path(bucket, key)
        stat = path.stat()
        yield {
            "Etag": f'"{_md5(path)}"',
            "Key": key,
            "LastModified": int(stat.st_mtime),
            "Size": stat.st_size,
            "StorageClass": "STANDARD",
        }


def _md5(path: Any) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def object_items(buckets: Buckets, bucket: str, key: str, config: ReaderConfig) -> Iterator[Any]:
    input_type = config.input_type or "JSON"
    if input_type not in INPUT_TYPES:
        raise ItemReaderFailed(f"InputType must be one of {', '.join(INPUT_TYPES)}, got {input_type!r}")
    path = buckets.path(bucket, key)
    if input_type == "JSON":
        return _json_items(path.read_bytes())
    if input_type == "JSONL":
        return _jsonl_items(path, key)
    if input_type == "CSV":
        return _csv_items(path, config)
    if input_type == "MANIFEST":
        return _manifest_items(buckets, bucket, path.read_bytes(), key)
    return _parquet_items(path, key)


def _json_items(data: bytes) -> Iterator[Any]:
    try:
        value = json.loads(data)
    except ValueError as problem:
        raise ItemReaderFailed(f"the object is not valid JSON: {problem}") from None
    if not isinstance(value, list):
        raise ItemReaderFailed("Attempting to map over non-iterable node.")  # AWS's words
    return iter(value)


def _jsonl_items(path: Any, key: str) -> Iterator[Any]:
    with open(path, "rb") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError as problem:
                raise ItemReaderFailed(f"{key} line {number} is not valid JSON: {problem}") from None


def _csv_items(path: Any, config: ReaderConfig) -> Iterator[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as stream:
        yield from csv_rows(stream, config)


def csv_rows(stream: Any, config: ReaderConfig) -> Iterator[dict[str, str]]:
    """Rows as objects of strings: fields past the header are dropped and missing ones are ``""``
    (AWS: test_map_item_reader_csv_headers_decl_extra_fields, _first_row_extra_fields)."""
    rows = csv.reader(stream, delimiter=DELIMITERS[config.csv_delimiter])
    if config.csv_header_location == "GIVEN":
        if not config.csv_headers:
            raise ItemReaderFailed("CSVHeaderLocation GIVEN needs CSVHeaders")
        headers: tuple[str, ...] | list[str] = config.csv_headers
    elif config.csv_header_location == "FIRST_ROW":
        headers = next(rows, [])
        if len(set(headers)) != len(headers):
            raise ItemReaderFailed("CSV headers cannot contain duplicates.")
    else:
        raise ItemReaderFailed(f"CSVHeaderLocation must be FIRST_ROW or GIVEN, got {config.csv_header_location!r}")
    width = len(headers)
    for row in rows:
        if not row:
            continue
        values = row[:width] + [""] * (width - len(row))
        yield dict(zip(headers, values))


def _manifest_items(buckets: Buckets, bucket: str, data: bytes, key: str) -> Iterator[dict[str, str]]:
    """An S3 Inventory ``manifest.json``: its CSV data files (gzipped, in ``destinationBucket``,
    else beside the manifest), each row keyed by the manifest's ``fileSchema``."""
    try:
        manifest = json.loads(data)
        schema = [name.strip() for name in manifest["fileSchema"].split(",")]
        files = manifest["files"]
        source = manifest.get("destinationBucket", "").removeprefix("arn:aws:s3:::")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ItemReaderFailed(f"{key} is not an S3 inventory manifest (fileSchema and files)") from None
    if manifest.get("fileFormat", "CSV") != "CSV":
        raise ItemReaderFailed(f"only CSV inventories can be read, {key} says {manifest.get('fileFormat')!r}")
    config = ReaderConfig(csv_header_location="GIVEN", csv_headers=tuple(schema))
    for entry in files:
        raw = buckets.get(source or bucket, entry["key"])
        text = gzip.decompress(raw) if entry["key"].endswith(".gz") else raw
        yield from csv_rows(io.StringIO(text.decode("utf-8")), config)


def _parquet_items(path: Any, key: str) -> Iterator[dict[str, Any]]:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise ItemReaderFailed(
            "reading PARQUET needs pyarrow: pip install 'stepflow[parquet]'"
        ) from None
    try:
        table = parquet.ParquetFile(path)
        for batch in table.iter_batches(batch_size=4096):
            yield from batch.to_pylist()
    except (OSError, ValueError) as problem:  # pyarrow's ArrowInvalid is a ValueError
        raise ItemReaderFailed(f"{key} is not a readable Parquet file: {problem}") from None
