"""S3 tasks on the data root's folder buckets.

Evidence: LocalStack's AWS-validated recordings, tests/aws/services/stepfunctions/v2/services/
test_aws_sdk_task_service.snapshot.json (test_s3_get_object: AcceptRanges, ContentLength,
ContentType binary/octet-stream, quoted MD5 ETag, Metadata, ServerSideEncryption, Body as text;
test_s3_put_object: ChecksumCRC32, ChecksumType FULL_OBJECT, ETag, a dict Body stored as
compact JSON, a string too, with the content type text/plain; charset=UTF-8) and .../error_handling/test_aws_sdk.snapshot.json (test_s3_no_such_key,
test_no_such_bucket).
"""
from __future__ import annotations

import pytest

from stepflow import StateMachine
from stepflow.services.buckets import Buckets

BUCKET = "bucket-name"


@pytest.fixture
def buckets(stepflow_home):
    store = Buckets(stepflow_home)
    store.create(BUCKET)
    return store


def run(action, parameters, **state):
    return StateMachine({"StartAt": "S3", "States": {"S3": {
        "Type": "Task", "Resource": f"arn:aws:states:::aws-sdk:s3:{action}", "Parameters": parameters,
        "End": True, **state}}}).run({})


@pytest.mark.parametrize("body, stored, etag, crc", [
    ("text data", b'"text data"', '"2b5df3712557f503a9977a8ea893b2c9"', "KUmHvQ=="),
    ({"Dict": "Value"}, b'{"Dict":"Value"}', '"49e31cee5aec8faf3345893addb14346"', "hnEfWw=="),
    (["List", "Data"], b'["List","Data"]', '"6b23860357f6e63a0272b7f1143a663a"', "1F2MPA=="),
    (False, b"false", '"68934a3e9455fa72420237eb05902327"', "K81oMA=="),
    (0, b"0", '"cfcd208495d565ef66e7dff9f98764da"', "9NvfIQ=="),
])
def test_put_object_answers_as_recorded(buckets, body, stored, etag, crc):
    execution = run("putObject", {"Bucket": BUCKET, "Key": "file-key", "Body": body})
    assert execution.output == {"ChecksumCRC32": crc, "ChecksumType": "FULL_OBJECT", "ETag": etag,
                                "ServerSideEncryption": "AES256"}
    assert buckets.get(BUCKET, "file-key") == stored
    assert buckets.info(BUCKET, "file-key").content_type == "text/plain; charset=UTF-8"


def test_get_object_answers_as_recorded(buckets):
    buckets.put(BUCKET, "file-key", b"text data")
    output = run("getObject", {"Bucket": BUCKET, "Key": "file-key"}).output
    last_modified = output.pop("LastModified")
    assert output == {"AcceptRanges": "bytes", "ContentLength": 9, "ContentType": "binary/octet-stream",
                      "ETag": '"332eec544317a6d340b8e77da7fe54ad"', "Metadata": {},
                      "ServerSideEncryption": "AES256", "Body": "text data"}
    assert last_modified.endswith("Z")


def test_content_type_and_metadata_are_kept_beside_the_object_and_copied(buckets):
    run("putObject", {"Bucket": BUCKET, "Key": "a.json", "Body": {"a": 1}, "ContentType": "application/json",
                      "Metadata": {"owner": "me"}})
    copied = run("copyObject", {"Bucket": BUCKET, "Key": "b.json", "CopySource": f"{BUCKET}/a.json"}).output
    assert copied["CopyObjectResult"]["ETag"] == '"%s"' % __import__("hashlib").md5(b'{"a":1}').hexdigest()
    head = run("headObject", {"Bucket": BUCKET, "Key": "b.json"}).output
    assert (head["ContentType"], head["Metadata"], head["ContentLength"]) == ("application/json", {"owner": "me"}, 7)
    assert Buckets(buckets.folder.parent).info(BUCKET, "a.json").content_type == "application/json"  # survives


def test_list_objects_v2_with_prefix_delimiter_and_continuation(buckets):
    for key in ["photos/1.jpg", "photos/2.jpg", "photos/raw/3.jpg", "readme.txt", "thumbs/1.jpg"]:
        buckets.put(BUCKET, key, b"x")
    top = run("listObjectsV2", {"Bucket": BUCKET, "Delimiter": "/"}).output
    assert [c["Key"] for c in top["Contents"]] == ["readme.txt"]
    assert top["CommonPrefixes"] == [{"Prefix": "photos/"}, {"Prefix": "thumbs/"}]
    assert top["KeyCount"] == 3 and top["IsTruncated"] is False
    first = run("listObjectsV2", {"Bucket": BUCKET, "Prefix": "photos/", "MaxKeys": 2}).output
    assert [c["Key"] for c in first["Contents"]] == ["photos/1.jpg", "photos/2.jpg"]
    assert first["IsTruncated"] is True
    rest = run("listObjectsV2", {"Bucket": BUCKET, "Prefix": "photos/",
                                 "ContinuationToken": first["NextContinuationToken"]}).output
    assert [c["Key"] for c in rest["Contents"]] == ["photos/raw/3.jpg"]
    assert rest["IsTruncated"] is False and "NextContinuationToken" not in rest


def test_delete_object_then_get_is_no_such_key_as_recorded(buckets):
    buckets.put(BUCKET, "gone", b"x")
    assert run("deleteObject", {"Bucket": BUCKET, "Key": "gone"}).output == {}
    execution = run("getObject", {"Bucket": BUCKET, "Key": "gone"})
    assert execution.error == "S3.NoSuchKeyException"
    assert execution.cause.startswith("The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ")
    assert ", Extended Request ID: " in execution.cause
    failed = next(e for e in execution.history if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert (failed["resourceType"], failed["resource"]) == ("aws-sdk:s3", "getObject")


def test_missing_bucket_and_unsafe_key(stepflow_home):
    execution = run("listObjectsV2", {"Bucket": "no-such-bucket"})
    assert execution.error == "S3.NoSuchBucketException"
    assert execution.cause.startswith("The specified bucket does not exist (Service: S3, Status Code: 404")
    Buckets(stepflow_home).create(BUCKET)
    execution = run("putObject", {"Bucket": BUCKET, "Key": "../escape", "Body": "x"})
    assert execution.error == "S3.S3Exception"
    assert "'..' path segment" in execution.cause
    assert not (stepflow_home / "buckets" / "escape").exists()


def test_result_selector_and_catch(buckets):
    buckets.put(BUCKET, "n", b"42")
    machine = StateMachine({"StartAt": "Get", "States": {
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": BUCKET, "Key.$": "$.key"},
                "ResultSelector": {"value.$": "States.StringToJson($.Body)"},
                "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "Missing"}], "End": True},
        "Missing": {"Type": "Pass", "Result": "missing", "End": True}}})
    assert machine.run({"key": "n"}).output == {"value": 42}
    assert machine.run({"key": "other"}).output == "missing"
