"""``stepflow bucket create|delete|put|get|ls|rm``: what a user does with ``aws s3`` on the local
buckets, to prepare a data set (a folder put under a prefix) or read results back."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stepflow.asl.errors import StepflowError
from stepflow.cli._triggers import deliver_uploads
from stepflow.services.buckets import Buckets, NoSuchBucket
from stepflow.settings import data_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bucket", help="create buckets, put, get, list and remove objects")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a bucket (S3's naming rules)")
    create.add_argument("bucket")
    create.set_defaults(handler=run_create)
    delete = actions.add_parser("delete", help="delete a bucket")
    delete.add_argument("bucket")
    delete.add_argument("--force", action="store_true", help="delete its objects too")
    delete.set_defaults(handler=run_delete)
    put = actions.add_parser("put", help="put a file, or every file of a folder, into a bucket")
    put.add_argument("bucket")
    put.add_argument("file", type=Path, help="a file, or a folder (its files keep their relative paths)")
    put.add_argument("--key", help="a file's object key (default: the file's name)")
    put.add_argument("--prefix", default="", help="put the keys under this prefix (e.g. photos/)")
    put.set_defaults(handler=run_put)
    get = actions.add_parser("get", help="write an object to a file, or to stdout")
    get.add_argument("bucket")
    get.add_argument("key")
    get.add_argument("--output", type=Path, help="the file to write (default: stdout)")
    get.set_defaults(handler=run_get)
    listing = actions.add_parser("ls", help="list a bucket's keys (or the buckets)")
    listing.add_argument("bucket", nargs="?")
    listing.set_defaults(handler=run_ls)
    remove = actions.add_parser("rm", help="remove an object")
    remove.add_argument("bucket")
    remove.add_argument("key")
    remove.set_defaults(handler=run_rm)


def run_create(args: argparse.Namespace) -> int:
    created = Buckets(data_root()).create(args.bucket)
    print(f"make_bucket: {args.bucket}" if created else f"bucket {args.bucket} already exists")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    Buckets(data_root()).delete(args.bucket, force=args.force)
    print(f"remove_bucket: {args.bucket}")
    return 0


def run_put(args: argparse.Namespace) -> int:
    buckets = Buckets(data_root())
    if args.file.is_dir():
        if args.key is not None:
            raise StepflowError("--key names one file's key; for a folder use --prefix")
        files = sorted(path for path in args.file.rglob("*") if path.is_file())
        uploads = [(path, args.prefix + path.relative_to(args.file).as_posix()) for path in files]
    else:
        uploads = [(args.file, args.prefix + (args.key if args.key is not None else args.file.name))]
    if not buckets.exists(args.bucket):
        raise NoSuchBucket(args.bucket)  # before reading any file, as `aws s3 cp` refuses
    for path, key in uploads:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise StepflowError(f"cannot read {path}: {error.strerror or error}") from error
        buckets.put(args.bucket, key, data)
        print(f"upload: {path} to s3://{args.bucket}/{key}")
    deliver_uploads()
    return 0


def run_get(args: argparse.Namespace) -> int:
    data = Buckets(data_root()).get(args.bucket, args.key)
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    try:
        args.output.write_bytes(data)
    except OSError as error:
        raise StepflowError(f"cannot write {args.output}: {error.strerror or error}") from error
    print(f"download: s3://{args.bucket}/{args.key} to {args.output}")
    return 0


def run_ls(args: argparse.Namespace) -> int:
    buckets = Buckets(data_root())
    for name in buckets.keys(args.bucket) if args.bucket else buckets.names():
        print(name)
    return 0


def run_rm(args: argparse.Namespace) -> int:
    Buckets(data_root()).delete_object(args.bucket, args.key)
    print(f"delete: s3://{args.bucket}/{args.key}")
    return 0
