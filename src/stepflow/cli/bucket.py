"""``stepflow bucket put|ls|rm``: what the workshop does with ``aws s3`` on the local buckets."""
from __future__ import annotations

import argparse
from pathlib import Path

from stepflow.asl.errors import StepflowError
from stepflow.services.buckets import Buckets
from stepflow.settings import data_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bucket", help="put, list and remove objects in local buckets")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    put = actions.add_parser("put", help="put a file into a bucket")
    put.add_argument("bucket")
    put.add_argument("file", type=Path)
    put.add_argument("--key", help="the object key (default: the file's name)")
    put.set_defaults(handler=run_put)
    listing = actions.add_parser("ls", help="list a bucket's keys (or the buckets)")
    listing.add_argument("bucket", nargs="?")
    listing.set_defaults(handler=run_ls)
    remove = actions.add_parser("rm", help="remove an object")
    remove.add_argument("bucket")
    remove.add_argument("key")
    remove.set_defaults(handler=run_rm)


def run_put(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise StepflowError(f"cannot read {args.file}: {error.strerror or error}") from error
    key = args.key if args.key is not None else args.file.name
    Buckets(data_root()).put(args.bucket, key, data)
    print(f"upload: {args.file} to s3://{args.bucket}/{key}")
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
