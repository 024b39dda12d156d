"""The local stand-in for the workshop's CloudFormation stack ``wildrydes-step-module-resources``.

It creates what the template and the workshop's CLI steps create, under the data root: the rider
photo bucket (with the workshop's test photos copied in, as the template's PopulateTestImages
does), the thumbnail bucket, the RiderPhotoDDBTable (hash key ``Username``) and the
``rider-photos`` face collection; and it names the six functions with Lambda ARNs so that the
workshop's definitions bind through ``${FaceDetectionFunctionArn}``-style substitutions.
"""
from __future__ import annotations

import importlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stepflow.extras import require
from stepflow.services.buckets import Buckets
from stepflow.services.tables import Tables
from stepflow.settings import data_root, fixtures_dir

if TYPE_CHECKING:  # numpy and the face models come with the 'faces' extra: imported when used
    from stepflow.services.faces import FaceCollections

STACK_NAME = "wildrydes-step-module-resources"
REGION = "us-east-1"
ACCOUNT = "123456789012"
COLLECTION_ID = "rider-photos"  # the template's RekognitionCollectionID default
THUMBNAIL_MAX = (300, 300)  # the template's MAX_WIDTH / MAX_HEIGHT for ThumbnailFunction
WORKSHOP_PHOTOS = ("1_happy_face.jpg", "2_sunglass_face.jpg", "3_multiple_faces.jpg", "4_no_face.jpg")
STACK_FILE = "stack.json"

# Output name -> (the template's logical id, the module under stepflow.riderphoto holding it).
FUNCTIONS: dict[str, tuple[str, str]] = {
    "FaceDetectionFunctionArn": ("FaceDetectionFunction", "face_detection"),
    "NotificationPlaceholderFunctionArn": ("NotificationPlaceholderFunction", "notification"),
    "FaceSearchFunctionArn": ("FaceSearchFunction", "face_search"),
    "IndexFaceFunctionArn": ("IndexFaceFunction", "index_face"),
    "ThumbnailFunctionArn": ("ThumbnailFunction", "thumbnail"),
    "PersistMetadataFunctionArn": ("PersistMetadataFunction", "persist_metadata"),
}

Handler = Callable[[Any, Any], Any]


def function_arn(logical_id: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK_NAME}-{logical_id}"


@dataclass(frozen=True)
class Stack:
    """The stack's resources under one data root."""

    root: Path
    rider_photo_bucket: str = f"{STACK_NAME}-riderphotos3bucket"
    thumbnail_bucket: str = f"{STACK_NAME}-thumbnails3bucket"
    table: str = f"{STACK_NAME}-RiderPhotoDDBTable"
    collection_id: str = COLLECTION_ID
    thumbnail_max: tuple[int, int] = THUMBNAIL_MAX

    @classmethod
    def current(cls) -> Stack:
        """The stack in ``STEPFLOW_HOME`` (read at call time, as a Lambda reads its environment)."""
        return cls(data_root())

    @classmethod
    def from_environment(cls) -> Stack:
        """The stack as a function of the SAM form (``definitions/rider-photo-stack``) sees it: the
        names its template passes as environment variables, defaults where one is not set."""
        env = os.environ
        size = (int(env.get("MAX_WIDTH", THUMBNAIL_MAX[0])), int(env.get("MAX_HEIGHT", THUMBNAIL_MAX[1])))
        return cls(
            data_root(),
            rider_photo_bucket=env.get("RIDER_PHOTO_BUCKET", cls.rider_photo_bucket),
            thumbnail_bucket=env.get("THUMBNAIL_BUCKET", cls.thumbnail_bucket),
            table=env.get("TABLE_NAME", cls.table),
            collection_id=env.get("REKOGNITION_COLLECTION_ID", COLLECTION_ID),
            thumbnail_max=size,
        )

    @property
    def buckets(self) -> Buckets:
        return Buckets(self.root)

    @property
    def tables(self) -> Tables:
        return Tables(self.root)

    @property
    def collections(self) -> FaceCollections:
        require("faces")
        from stepflow.services.faces import FaceCollections

        return FaceCollections(self.root)

    def outputs(self) -> dict[str, str]:
        """The stack's outputs, named and ordered as the workshop's template lists them."""
        arns = {output: function_arn(logical) for output, (logical, _) in FUNCTIONS.items()}
        return {
            **arns,
            "RiderPhotoS3Bucket": self.rider_photo_bucket,
            "ThumbnailS3Bucket": self.thumbnail_bucket,
            "RiderPhotoDDBTable": self.table,
        }

    def is_up(self) -> bool:
        return (self.root / STACK_FILE).is_file()

    def settings(self) -> dict[str, str]:
        """The stack's parameters given to ``up`` (e.g. the notification's SMTP server)."""
        try:
            document = json.loads((self.root / STACK_FILE).read_text())
        except (OSError, ValueError):
            return {}
        return dict(document.get("Settings", {}))

    def up(
        self, photos: Path | None = None, settings: dict[str, str] | None = None
    ) -> dict[str, str]:
        """Create whatever is missing (idempotent) and return the outputs.

        The workshop photos found in ``photos`` (default: the shared fixtures) are copied into the
        rider photo bucket when absent, as the template's PopulateTestImages resource does.
        ``settings`` are merged into those kept from an earlier ``up``.
        """
        buckets = self.buckets
        for bucket in (self.rider_photo_bucket, self.thumbnail_bucket):
            buckets.create(bucket)
        self.tables.create(self.table, "Username")
        if not self.collections.exists(self.collection_id):
            self.collections.create_collection(self.collection_id)
        source = photos if photos is not None else fixtures_dir()
        present = set(buckets.keys(self.rider_photo_bucket))
        for name in WORKSHOP_PHOTOS:
            if name not in present and (source / name).is_file():
                buckets.put(self.rider_photo_bucket, name, (source / name).read_bytes())
        outputs = self.outputs()
        document = {
            "StackName": STACK_NAME,
            "Outputs": outputs,
            "Settings": {**self.settings(), **(settings or {})},
        }
        (self.root / STACK_FILE).write_text(json.dumps(document, indent=2) + "\n")
        return outputs

    def down(self, purge: bool = False) -> None:
        """Remove everything ``up`` created; with ``purge`` the whole data root as well."""
        if purge:
            shutil.rmtree(self.root, ignore_errors=True)
            return
        buckets = self.buckets
        for bucket in (self.rider_photo_bucket, self.thumbnail_bucket):
            if buckets.exists(bucket):
                buckets.delete(bucket, force=True)
        if self.tables.exists(self.table):
            self.tables.delete(self.table)
        if self.collections.exists(self.collection_id):
            self.collections.delete_collection(self.collection_id)
        (self.root / STACK_FILE).unlink(missing_ok=True)
        self._remove_empty_stores()

    def _remove_empty_stores(self) -> None:
        """Drop the store files and folders ``up`` made, unless something else now lives there."""
        if not self.buckets.names():
            shutil.rmtree(self.buckets.folder, ignore_errors=True)
            shutil.rmtree(self.buckets.meta_folder, ignore_errors=True)
            shutil.rmtree(self.root / ".staging", ignore_errors=True)
        for path, empty in (
            (self.tables.path, not self.tables.names()),
            (self.collections.path, not self.collections.list_collections()),
        ):
            if empty:
                for suffix in ("", "-wal", "-shm"):
                    path.with_name(path.name + suffix).unlink(missing_ok=True)
        if self.root.is_dir() and not any(self.root.iterdir()):
            self.root.rmdir()


def bindings(root: Path | None = None) -> tuple[dict[str, Handler], dict[str, str]]:
    """Handlers by function ARN and substitutions by output name, for ``stepflow run --stack``."""
    require("faces")
    stack = Stack(root) if root is not None else Stack.current()
    resources: dict[str, Handler] = {}
    for logical, module_name in FUNCTIONS.values():
        module = importlib.import_module(f"stepflow.riderphoto.{module_name}")
        resources[function_arn(logical)] = partial(module.handler, stack=stack)
    return resources, stack.outputs()
