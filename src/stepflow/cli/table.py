"""``stepflow table scan|get``: read the local DynamoDB table items (plain JSON, not typed JSON)."""
from __future__ import annotations

import argparse
import json

from stepflow.riderphoto.stack import Stack
from stepflow.settings import data_root
from stepflow.services.tables import Tables


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("table", help="read items of a local table")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    scan = actions.add_parser("scan", help="every item, like aws dynamodb scan")
    scan.add_argument("--table-name", default=Stack.table, help="default: the RiderPhotoDDBTable")
    scan.set_defaults(handler=run_scan)
    get = actions.add_parser("get", help="one item by its hash key, like aws dynamodb get-item")
    get.add_argument("key", help="the hash key value (Username for the rider photo table)")
    get.add_argument("--table-name", default=Stack.table, help="default: the RiderPhotoDDBTable")
    get.set_defaults(handler=run_get)


def run_scan(args: argparse.Namespace) -> int:
    items = Tables(data_root()).scan(args.table_name)
    print(json.dumps({"Items": items, "Count": len(items), "ScannedCount": len(items)}, indent=2))
    return 0


def run_get(args: argparse.Namespace) -> int:
    item = Tables(data_root()).get_item(args.table_name, args.key)
    print(json.dumps({} if item is None else {"Item": item}, indent=2))
    return 0
