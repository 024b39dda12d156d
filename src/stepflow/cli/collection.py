"""``stepflow collection ...``: the workshop's ``aws rekognition`` collection commands, locally.

Each prints the JSON the AWS CLI prints for the same command.
"""
from __future__ import annotations

import argparse

from typing import Any

from stepflow.cli._json import print_json
from stepflow.riderphoto.stack import COLLECTION_ID
from stepflow.settings import data_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("collection", help="manage local face collections")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, handler, help_text in (
        ("create", run_create, "create a collection (aws rekognition create-collection)"),
        ("delete", run_delete, "delete a collection and its faces"),
        ("describe", run_describe, "face count, model version, ARN and creation time"),
        ("list-faces", run_list_faces, "list the faces indexed in a collection"),
        ("delete-faces", run_delete_faces, "delete faces by FaceId"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("--collection-id", default=COLLECTION_ID)
        if name == "delete-faces":
            action.add_argument("--face-ids", nargs="+", required=True, metavar="FACE_ID")
        action.set_defaults(handler=handler)
    actions.add_parser("list", help="list the collections").set_defaults(handler=run_list)


def _collections() -> Any:
    """The data root's face collections (numpy comes with the 'faces' extra: imported when used)."""
    from stepflow.services.faces import FaceCollections

    return FaceCollections(data_root())


def run_create(args: argparse.Namespace) -> int:
    return print_json(_collections().create_collection(args.collection_id))


def run_delete(args: argparse.Namespace) -> int:
    return print_json(_collections().delete_collection(args.collection_id))


def run_describe(args: argparse.Namespace) -> int:
    return print_json(_collections().describe_collection(args.collection_id))


def run_list(args: argparse.Namespace) -> int:
    collections = _collections().list_collections()
    from stepflow.services.faces import FACE_MODEL_VERSION

    versions = [FACE_MODEL_VERSION] * len(collections)
    return print_json({"CollectionIds": collections, "FaceModelVersions": versions})


def run_list_faces(args: argparse.Namespace) -> int:
    from stepflow.services.faces import FACE_MODEL_VERSION

    faces = _collections().list_faces(args.collection_id)
    return print_json({"Faces": faces, "FaceModelVersion": FACE_MODEL_VERSION})


def run_delete_faces(args: argparse.Namespace) -> int:
    deleted = _collections().delete_faces(args.collection_id, args.face_ids)
    return print_json({"DeletedFaces": deleted})
