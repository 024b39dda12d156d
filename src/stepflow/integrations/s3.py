"""S3 tasks (``arn:aws:states:::aws-sdk:s3:ACTION``) on the folder buckets of the data root.

getObject, putObject, headObject, copyObject, deleteObject and listObjectsV2, answered as the
SDK integration answers (SDK v2 shapes: ``Body`` as text, quoted ``ETag``, ``LastModified`` as an
ISO timestamp) and failing as it fails (``S3.NoSuchKeyException``, ``S3.NoSuchBucketException``).
Evidence: LocalStack's AWS-validated recordings tests/aws/services/stepfunctions/v2/services/
test_aws_sdk_task_service.snapshot.json (test_s3_get_object; test_s3_put_object: every Body, a
string too, is stored as compact JSON text with the content type ``text/plain; charset=UTF-8``)
and .../error_handling/test_aws_sdk.snapshot.json (errors).
"""
from __future__ import annotations

import base64
import json
import zlib
from datetime import datetime
from typing import Any, Callable
from urllib.parse import unquote

from stepflow.integrations.aws_service import ServiceNames, parameters_of, service_error
from stepflow.integrations.base import Integration, TaskCall, runtime_failure, task_names
from stepflow.services.buckets import Buckets, KeyConflict, NoSuchBucket, NoSuchKey, ObjectInfo
from stepflow.services.dataroot import UnsafeNameError

NAMES = ServiceNames(
    "S3", "Amazon S3", "AmazonS3Exception", "S3", "S3", "S3Exception",
    modeled=frozenset({"NoSuchKey", "NoSuchBucket", "InvalidObjectState", "BucketAlreadyExists"}),
)
_MAX_KEYS = 1000


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


PUT_CONTENT_TYPE = "text/plain; charset=UTF-8"


def _body_bytes(body: Any) -> bytes:
    """A Body as the integration sends it: the JSON value as compact JSON ("text" keeps its quotes)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _head(info: ObjectInfo) -> dict[str, Any]:
    return {
        "AcceptRanges": "bytes", "ContentLength": info.size, "ContentType": info.content_type,
        "ETag": info.etag, "LastModified": _iso(info.last_modified), "Metadata": info.metadata,
        "ServerSideEncryption": "AES256",
    }


class _Invalid(Exception):
    """A request S3 would refuse with 400: named S3.S3Exception by the SDK integration."""


def _required(request: dict[str, Any], *names: str) -> list[Any]:
    missing = [name for name in names if not isinstance(request.get(name), str)]
    if missing:
        raise _Invalid(f"The request needs {', '.join(missing)} (a string)")
    return [request[name] for name in names]


def get_object(buckets: Buckets, request: dict[str, Any]) -> dict[str, Any]:
    bucket, key = _required(request, "Bucket", "Key")
    data = buckets.get(bucket, key)
    return {**_head(buckets.info(bucket, key)), "Body": data.decode("utf-8", errors="replace")}


def head_object(buckets: Buckets, request: dict[str, Any]) -> dict[str, Any]:
    bucket, key = _required(request, "Bucket", "Key")
    return _head(buckets.info(bucket, key))


def put_object(buckets: Buckets, request: dict[str, Any]) -> dict[str, Any]:
    bucket, key = _required(request, "Bucket", "Key")
    data = _body_bytes(request.get("Body", ""))
    buckets.put(bucket, key, data, request.get("ContentType", PUT_CONTENT_TYPE), request.get("Metadata"))
    checksum = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    return {
        "ChecksumCRC32": checksum, "ChecksumType": "FULL_OBJECT",
        "ETag": buckets.info(bucket, key).etag, "ServerSideEncryption": "AES256",
    }


def copy_object(buckets: Buckets, request: dict[str, Any]) -> dict[str, Any]:
    bucket, key, source = _required(request, "Bucket", "Key", "CopySource")
    source_bucket, _, source_key = unquote(source).lstrip("/").partition("/")
    data = buckets.get(source_bucket, source_key)
    info = buckets.info(source_bucket, source_key)
    replace = request.get("MetadataDirective") == "REPLACE"
    buckets.put(
        bucket, key, data,
        request.get("ContentType") if replace else info.content_type,
        request.get("Metadata") if replace else info.metadata,
    )
    copied = buckets.info(bucket, key)
    return {
        "CopyObjectResult": {"ETag": copied.etag, "LastModified": _iso(copied.last_modified)},
        "ServerSideEncryption": "AES256",
    }


def delete_object(buckets: Buckets, request: dict[str, Any]) -> dict[str, Any]:
    bucket, key = _required(request, "Bucket", "Key")
    buckets.delete_object(bucket, key)
    return {}


def list_objects_v2(buckets: Buckets, request: dict[str, Any]) -> dict[str, Any]:
    (bucket,) = _required(request, "Bucket")
    prefix = request.get("Prefix") or ""
    delimiter = request.get("Delimiter") or ""
    max_keys = int(request.get("MaxKeys", _MAX_KEYS))
    token = request.get("ContinuationToken")
    after = request.get("StartAfter") or ""
    if token is not None:
        try:
            after = base64.urlsafe_b64decode(token.encode()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise _Invalid("The continuation token provided is incorrect") from None
    contents: list[dict[str, Any]] = []
    prefixes: list[str] = []
    last = ""
    truncated = False
    for key in buckets.keys(bucket):
        if not key.startswith(prefix) or key.encode() <= after.encode():
            continue
        rest = key[len(prefix):]
        common = prefix + rest.split(delimiter, 1)[0] + delimiter if delimiter and delimiter in rest else None
        if common is not None and prefixes and prefixes[-1] == common:
            last = key  # folded into the common prefix already counted
            continue
        if len(contents) + len(prefixes) == max_keys:
            truncated = True
            break
        if common is not None:
            prefixes.append(common)
        else:
            info = buckets.info(bucket, key)
            contents.append({
                "ETag": info.etag, "Key": key, "LastModified": _iso(info.last_modified),
                "Size": info.size, "StorageClass": "STANDARD",
            })
        last = key
    response: dict[str, Any] = {"IsTruncated": truncated}
    if contents:
        response["Contents"] = contents
    response.update({"Name": bucket, "Prefix": prefix, "MaxKeys": max_keys})
    if delimiter:
        response["Delimiter"] = delimiter
    if prefixes:
        response["CommonPrefixes"] = [{"Prefix": p} for p in prefixes]
    response["KeyCount"] = len(contents) + len(prefixes)
    if token is not None:
        response["ContinuationToken"] = token
    if truncated:
        response["NextContinuationToken"] = base64.urlsafe_b64encode(last.encode()).decode()
    if request.get("StartAfter"):
        response["StartAfter"] = request["StartAfter"]
    return response


ACTIONS: dict[str, Callable[[Buckets, dict[str, Any]], dict[str, Any]]] = {
    "getObject": get_object, "headObject": head_object, "putObject": put_object,
    "copyObject": copy_object, "deleteObject": delete_object, "listObjectsV2": list_objects_v2,
}
RESOURCES = tuple(f"arn:aws:states:::aws-sdk:s3:{action}" for action in ACTIONS)


class S3Task(Integration):
    def __init__(self, resource: str) -> None:
        super().__init__(resource)
        self.action = ACTIONS[task_names(resource)[1]]
        self.head = task_names(resource)[1] == "headObject"

    def invoke(self, call: TaskCall) -> Any:
        request = parameters_of(call.parameters, call.state_name, self.resource)
        buckets = Buckets(call.resources.data_root)
        try:
            return self.action(buckets, request)
        except NoSuchKey:
            # HeadObject's 404 has no body, so the SDK's exception carries no message.
            message = "null" if self.head else "The specified key does not exist."
            raise self._error("NoSuchKey", message, 404) from None
        except NoSuchBucket:
            raise self._error("NoSuchBucket", "The specified bucket does not exist", 404) from None
        except (UnsafeNameError, KeyConflict, _Invalid) as problem:
            raise self._error("InvalidRequest", str(problem), 400) from None
        except OSError as problem:
            raise runtime_failure(f"state {call.state_name!r}: {self.resource}: {problem}") from None

    @staticmethod
    def _error(code: str, message: str, status: int) -> Exception:
        return service_error(NAMES, code, message, sdk=True, status=status, extended_request_id=True)
