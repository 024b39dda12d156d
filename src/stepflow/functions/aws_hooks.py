"""boto3 inside a function reaches stepflow's local services in-process, through botocore's events.

``before-parameter-build`` keeps the call's own parameters; ``before-call`` answers it, so no
request is built or sent (the way moto answers calls). DynamoDB, S3, SQS (send, receive, delete,
queue URLs), SNS (publish) and EventBridge (PutEvents) are answered from the data root; a service the user points elsewhere with ``AWS_ENDPOINT_URL_<SERVICE>`` (or
``AWS_ENDPOINT_URL``) goes there as usual; any other call fails naming the function and service.
"""
from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

from stepflow.services.buckets import Buckets, NoSuchBucket, NoSuchKey
from stepflow.services.dataroot import UnsafeNameError
from stepflow.services.dynamodb import DynamoDB, DynamoDBError
from stepflow.services.events import EventBus
from stepflow.services.queues import QueueError, Queues
from stepflow.services.topics import TopicError, Topics

_PARAMS = "stepflow_params"


class ServiceNotEmulated(Exception):
    """A boto3 call to a service stepflow does not emulate, with no endpoint named for it."""


class _Response:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}


def install() -> None:
    """Register the hooks for every botocore session created from now on (no-op without botocore)."""
    try:
        from botocore import handlers
    except ImportError:
        return
    handlers.BUILTIN_HANDLERS.append(("before-parameter-build", _keep_params))
    handlers.BUILTIN_HANDLERS.append(("before-call", _answer))


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context[_PARAMS] = dict(params)


def _answer(model: Any, context: dict[str, Any], **_: Any) -> Any:
    service = model.service_model.service_id.hyphenize()
    operation = model.name
    params = context.get(_PARAMS, {})
    root = Path(os.environ.get("STEPFLOW_HOME", ".stepflow"))
    if service == "dynamodb":
        try:
            return _Response(200), {**DynamoDB(root).call(operation, params), "ResponseMetadata": _meta(200)}
        except DynamoDBError as error:  # DynamoDB answers every client error with status 400
            return _Response(400), _error(error.code, error.message, 400)
    if service == "s3":
        return _s3(Buckets(root), operation, params)
    answer = _messaging(root, service, operation, params)
    if answer is not None:
        return answer
    variable = "AWS_ENDPOINT_URL_" + service.upper().replace("-", "_")
    if variable in os.environ or "AWS_ENDPOINT_URL" in os.environ:
        return None  # botocore sends it to the endpoint the user named
    raise ServiceNotEmulated(
        f"function {os.environ.get('AWS_LAMBDA_FUNCTION_NAME')} called {service} {operation}: stepflow does "
        f"not emulate {service}; set {variable} to an endpoint that serves it"
    )


def _meta(status: int) -> dict[str, Any]:
    return {"RequestId": "stepflow-local", "HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}


def _error(code: str, message: str, status: int) -> dict[str, Any]:
    return {"Error": {"Code": code, "Message": message}, "ResponseMetadata": _meta(status)}


def _s3(buckets: Buckets, operation: str, params: dict[str, Any]) -> Any:
    from botocore.response import StreamingBody

    bucket, key = params.get("Bucket"), params.get("Key")
    try:
        if operation == "PutObject":
            body = params.get("Body", b"")
            data = body.read() if hasattr(body, "read") else (body.encode() if isinstance(body, str) else bytes(body))
            buckets.put(bucket, key, data)
            return _Response(200), {"ETag": f'"{hashlib.md5(data).hexdigest()}"', "ResponseMetadata": _meta(200)}  # noqa: S324 (S3's ETag)
        if operation in ("GetObject", "HeadObject"):
            data = buckets.get(bucket, key)
            answer: dict[str, Any] = {"ContentLength": len(data), "ETag": f'"{hashlib.md5(data).hexdigest()}"',  # noqa: S324
                                      "ResponseMetadata": _meta(200)}
            if operation == "GetObject":
                answer["Body"] = StreamingBody(io.BytesIO(data), len(data))
            return _Response(200), answer
        if operation == "DeleteObject":
            buckets.delete_object(bucket, key)
            return _Response(204), {"ResponseMetadata": _meta(204)}
        if operation == "ListObjectsV2":
            prefix = params.get("Prefix", "")
            keys = [k for k in buckets.keys(bucket) if k.startswith(prefix)]
            contents = [{"Key": k, "Size": len(buckets.get(bucket, k))} for k in keys]
            return _Response(200), {"Name": bucket, "Prefix": prefix, "KeyCount": len(keys), "IsTruncated": False,
                                    **({"Contents": contents} if contents else {}), "ResponseMetadata": _meta(200)}
        if operation == "ListBuckets":
            return _Response(200), {"Buckets": [{"Name": name} for name in buckets.names()], "ResponseMetadata": _meta(200)}
    except NoSuchBucket:
        return _Response(404), _error("NoSuchBucket", "The specified bucket does not exist", 404)
    except NoSuchKey:
        return _Response(404), _error("NoSuchKey", "The specified key does not exist.", 404)
    except UnsafeNameError as error:
        return _Response(400), _error("InvalidArgument", str(error), 400)
    return _Response(501), _error("NotImplemented", f"stepflow's local S3 does not emulate {operation}", 501)


def _messaging(root: Path, service: str, operation: str, params: dict[str, Any]) -> Any:
    """SQS, SNS and EventBridge calls on the local queues, topics and bus; None for any other."""
    try:
        if service == "sqs":
            queues = Queues(root)
            if operation == "SendMessage":
                return _ok(queues.send(params.get("QueueUrl", ""), params.get("MessageBody", ""),
                                       params.get("MessageAttributes"), int(params.get("DelaySeconds", 0))))
            if operation == "ReceiveMessage":
                messages = queues.receive(params.get("QueueUrl", ""), int(params.get("MaxNumberOfMessages", 1)),
                                          int(params.get("VisibilityTimeout", 30)))
                return _ok({"Messages": messages} if messages else {})
            if operation == "DeleteMessage":
                queues.delete_message(params.get("QueueUrl", ""), params.get("ReceiptHandle", ""))
                return _ok({})
            if operation == "GetQueueUrl":
                name = params.get("QueueName", "")
                if name not in queues.names():
                    raise QueueError("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
                return _ok({"QueueUrl": Queues.url(name)})
        if service == "sns" and operation == "Publish":
            topic = params.get("TopicArn") or params.get("TargetArn", "")
            # A function subscribed to the topic is not run from inside another function's worker.
            message_id = Topics(root).publish(topic, params.get("Message", ""), params.get("Subject"),
                                              params.get("MessageAttributes"))
            return _ok({"MessageId": message_id})
        if service == "eventbridge" and operation == "PutEvents":
            return _ok(EventBus(root).put_events(params.get("Entries", [])))
    except (QueueError, TopicError) as error:
        status = 404 if error.code == "NotFound" else 400
        # SQS's JSON protocol names a missing queue QueueDoesNotExist: boto3's modeled exception.
        code = "QueueDoesNotExist" if error.code == "AWS.SimpleQueueService.NonExistentQueue" else error.code
        return _Response(status), _error(code, error.message, status)
    return None


def _ok(answer: dict[str, Any]) -> Any:
    return _Response(200), {**answer, "ResponseMetadata": _meta(200)}
