"""Local Rekognition face collections: 128-d face_recognition encodings in numpy, kept in SQLite.

Similarity. Rekognition scores a match 0-100 (the workshop searches with FaceMatchThreshold 70);
face_recognition gives a Euclidean distance between encodings (0 = identical, its usual
"same person" tolerance is 0.6). We map distance to similarity with a logistic curve anchored on
the shared fixtures (tests/riderphoto/test_face_similarity.py re-measures them):

    similarity(d) = 100 / (1 + exp(K * (d - C)))

with similarity 70 at d = 0.50 and 20 at d = 0.60. Measured on the fixtures with the workflow's
own analysis (riderphoto.analysis): the 6 same-person pairs lie 0.33-0.44 apart (similarity
>= 90), the 345 different-person pairs at least 0.55 apart (similarity <= 42), so threshold 70
(d = 0.50, the middle of the gap) separates them with a margin each side. face_recognition's
default tolerance, 0.6, would not: two pairs of different people lie at 0.55-0.57. On the
generated face set (bench/faceset.py: the fixtures cropped, scaled, darkened, blurred, compressed,
turned, cut out; faces under 40 px are refused before any search), different people came no
closer than 0.557 on the tuning side and 0.551 on the held-out side (no false accept in 26,924
pairs); 2% of same-person pairs lie beyond 0.50 (a covered lower face, heavy blur), which
re-registers a rider rather than refusing one for someone else's face.

Search is one vectorised pass: squared distances |m|^2 - 2 m.q + |q|^2 over a float32 matrix whose
row norms are precomputed. The matrix is cached per process and reloaded only when the
collection's generation (a random tag replaced by every write, in the same transaction) changes.
"""
from __future__ import annotations

import json
import math
import re
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stepflow.services.errors import ServiceError
from stepflow.services.sqlite import transaction

DIMENSIONS = 128
DISTANCE_AT_SIMILARITY_70 = 0.50
DISTANCE_AT_SIMILARITY_20 = 0.60
# Solve 100 / (1 + exp(K (d - C))) = s at both anchors: K (d - C) = ln(100 / s - 1).
_K = (math.log(100 / 20 - 1) - math.log(100 / 70 - 1)) / (
    DISTANCE_AT_SIMILARITY_20 - DISTANCE_AT_SIMILARITY_70
)
_C = DISTANCE_AT_SIMILARITY_70 - math.log(100 / 70 - 1) / _K
FACE_MODEL_VERSION = "face_recognition-dlib-128d"
_REGION_ACCOUNT = "us-east-1:123456789012"  # the account and region stepflow reports everywhere
_COLLECTION_ID = re.compile(r"[a-zA-Z0-9_.\-]{1,255}")
_EXTERNAL_IMAGE_ID = re.compile(r"[a-zA-Z0-9_.\-:]{1,255}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS collections (
    collection_id TEXT PRIMARY KEY,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    generation INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS faces (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id TEXT NOT NULL REFERENCES collections(collection_id) ON DELETE CASCADE,
    face_id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS faces_by_collection ON faces(collection_id, seq);
"""


def similarity(distance: float | np.ndarray) -> float | np.ndarray:
    """Rekognition-style similarity (0-100) for a face_recognition encoding distance."""
    return 100.0 / (1.0 + np.exp(_K * (np.asarray(distance, dtype=np.float64) - _C)))


def max_distance(threshold: float) -> float:
    """The largest distance whose similarity still reaches ``threshold`` (the inverse map)."""
    if threshold <= 0:
        return math.inf
    if threshold >= 100:
        return 0.0
    return _C + math.log(100 / threshold - 1) / _K


class RekognitionError(ServiceError):
    """A collection error, named as Rekognition names its exceptions."""


def _not_found(collection_id: str) -> RekognitionError:
    return RekognitionError(
        "ResourceNotFoundException", f"The collection id: {collection_id} does not exist"
    )


class FaceAlreadyIndexed(RekognitionError):
    """``index_face(..., unless_match=...)`` found the face already in the collection."""

    def __init__(self, matches: list[dict[str, Any]]) -> None:
        super().__init__("FaceAlreadyIndexed", "the face is already in the collection")
        self.matches = matches


@dataclass
class _Matrix:
    """A collection's vectors in search order, grown by doubling so appends stay cheap.

    Only numbers are held (row -> SQLite ``seq``), never the face records: a million faces cost
    512 MB of float32 and 8 MB of seqs; the few records a search returns are read by seq.
    """

    generation: int
    seqs: np.ndarray  # int64, capacity; rows [0, count) are live
    vectors: np.ndarray  # float32, capacity x 128
    norms: np.ndarray  # float32 squared row norms
    count: int

    @classmethod
    def load(cls, connection: sqlite3.Connection, collection_id: str, generation: int) -> _Matrix:
        rows = connection.execute(
            "SELECT seq, vector FROM faces WHERE collection_id = ? ORDER BY seq", (collection_id,)
        ).fetchall()
        vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
        vectors = vectors.reshape(len(rows), DIMENSIONS).copy()
        seqs = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        return cls(generation, seqs, vectors, np.einsum("ij,ij->i", vectors, vectors), len(rows))

    def append(self, seqs: np.ndarray, block: np.ndarray) -> None:
        needed = self.count + len(block)
        if needed > len(self.vectors):
            capacity = max(needed, 2 * len(self.vectors), 16)
            grown = np.empty((capacity, DIMENSIONS), dtype=np.float32)
            grown[: self.count] = self.vectors[: self.count]
            grown_norms = np.empty(capacity, dtype=np.float32)
            grown_norms[: self.count] = self.norms[: self.count]
            grown_seqs = np.empty(capacity, dtype=np.int64)
            grown_seqs[: self.count] = self.seqs[: self.count]
            self.vectors, self.norms, self.seqs = grown, grown_norms, grown_seqs
        self.vectors[self.count : needed] = block
        self.norms[self.count : needed] = np.einsum("ij,ij->i", block, block)
        self.seqs[self.count : needed] = seqs
        self.count = needed

    def nearest(self, probe: np.ndarray, threshold: float, max_faces: int) -> list[tuple[int, float]]:
        """(seq, distance) of the faces at or above ``threshold``, nearest first, at most
        ``max_faces``: one matrix-vector product over every face."""
        count = self.count  # read once: a writer in this process may append meanwhile
        if count == 0:
            return []
        probe = probe.astype(np.float32)
        squared = self.norms[:count] - 2.0 * (self.vectors[:count] @ probe)
        squared += float(probe @ probe)
        limit = max_distance(threshold)
        candidates = np.flatnonzero(squared <= limit * limit)
        if len(candidates) > max_faces:
            nearest = np.argpartition(squared[candidates], max_faces - 1)[:max_faces]
            candidates = candidates[nearest]
        candidates = candidates[np.argsort(squared[candidates], kind="stable")]
        distances = np.sqrt(np.maximum(squared[candidates], 0.0))
        return list(zip(self.seqs[candidates].tolist(), distances.tolist(), strict=True))


def _face_matches(
    connection: sqlite3.Connection, nearest: list[tuple[int, float]]
) -> list[dict[str, Any]]:
    """SearchFacesByImage's FaceMatches for (seq, distance) pairs, in that order."""
    if not nearest:
        return []
    marks = ",".join("?" * len(nearest))
    records = dict(
        connection.execute(
            f"SELECT seq, record FROM faces WHERE seq IN ({marks})", [seq for seq, _ in nearest]
        ).fetchall()
    )
    return [
        {"Similarity": round(float(similarity(distance)), 4), "Face": json.loads(records[seq])}
        for seq, distance in nearest
        if seq in records  # a row appended to the cache after this transaction's snapshot
    ]


def _new_generation() -> int:
    """A random version tag: unlike a counter, it cannot repeat after a collection is deleted and
    recreated by another process, so a stale cached matrix is never taken for current."""
    return secrets.randbits(62)


def _as_vectors(encodings: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    block = np.asarray(encodings, dtype=np.float32)
    if block.ndim == 1:
        block = block.reshape(1, -1)
    if block.ndim != 2 or block.shape[1] != DIMENSIONS or not np.isfinite(block).all():
        raise RekognitionError(
            "InvalidParameterException",
            f"face encodings must be finite {DIMENSIONS}-d vectors, got shape {block.shape}",
        )
    return block


class FaceCollections:
    """The face collections stored under one data root (``<root>/rekognition.sqlite3``)."""

    _cache: dict[tuple[str, str], _Matrix] = {}
    _cache_lock = threading.Lock()

    def __init__(self, root: Path) -> None:
        self.path = (Path(root) / "rekognition.sqlite3").resolve()

    def _transaction(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, _SCHEMA, write)

    @staticmethod
    def _check_id(collection_id: str) -> str:
        if not isinstance(collection_id, str) or not _COLLECTION_ID.fullmatch(collection_id):
            raise RekognitionError(
                "InvalidParameterException",
                f"collection id {collection_id!r} must match [a-zA-Z0-9_.\\-]+ (1-255 characters)",
            )
        return collection_id

    def _generation(self, connection: sqlite3.Connection, collection_id: str) -> int:
        row = connection.execute(
            "SELECT generation FROM collections WHERE collection_id = ?",
            (self._check_id(collection_id),),
        ).fetchone()
        if row is None:
            raise _not_found(collection_id)
        return row[0]

    def _matrix(self, connection: sqlite3.Connection, collection_id: str) -> _Matrix:
        """The collection's vectors as of this transaction's snapshot."""
        generation = self._generation(connection, collection_id)
        key = (str(self.path), collection_id)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None and cached.generation == generation:
                return cached
        loaded = _Matrix.load(connection, collection_id, generation)
        with self._cache_lock:
            self._cache[key] = loaded
        return loaded

    def _bump(self, connection: sqlite3.Connection, collection_id: str) -> int:
        generation = _new_generation()
        connection.execute(
            "UPDATE collections SET generation = ? WHERE collection_id = ?",
            (generation, collection_id),
        )
        return generation

    @staticmethod
    def arn(collection_id: str) -> str:
        return f"aws:rekognition:{_REGION_ACCOUNT}:collection/{collection_id}"

    def create_collection(self, collection_id: str) -> dict[str, Any]:
        """CreateCollection: ResourceAlreadyExistsException when it exists."""
        with self._transaction(write=True) as connection:
            try:
                connection.execute(
                    "INSERT INTO collections (collection_id, generation) VALUES (?, ?)",
                    (self._check_id(collection_id), _new_generation()),
                )
            except sqlite3.IntegrityError:
                raise RekognitionError(
                    "ResourceAlreadyExistsException",
                    f"The collection id: {collection_id} already exists",
                ) from None
        return {
            "CollectionArn": self.arn(collection_id),
            "FaceModelVersion": FACE_MODEL_VERSION,
            "StatusCode": 200,
        }

    def delete_collection(self, collection_id: str) -> dict[str, Any]:
        """DeleteCollection, with every face in it."""
        with self._transaction(write=True) as connection:
            self._generation(connection, collection_id)
            connection.execute("DELETE FROM collections WHERE collection_id = ?", (collection_id,))
        with self._cache_lock:
            self._cache.pop((str(self.path), collection_id), None)
        return {"StatusCode": 200}

    def exists(self, collection_id: str) -> bool:
        if not self.path.exists():
            return False
        with self._transaction() as connection:
            try:
                self._generation(connection, collection_id)
            except RekognitionError:
                return False
            return True

    def list_collections(self) -> list[str]:
        if not self.path.exists():
            return []
        with self._transaction() as connection:
            rows = connection.execute(
                "SELECT collection_id FROM collections ORDER BY collection_id"
            ).fetchall()
        return [row[0] for row in rows]

    def describe_collection(self, collection_id: str) -> dict[str, Any]:
        with self._transaction() as connection:
            self._generation(connection, collection_id)
            count, created = connection.execute(
                "SELECT (SELECT COUNT(*) FROM faces WHERE collection_id = ?), created "
                "FROM collections WHERE collection_id = ?",
                (collection_id, collection_id),
            ).fetchone()
        return {
            "FaceCount": count,
            "FaceModelVersion": FACE_MODEL_VERSION,
            "CollectionARN": self.arn(collection_id),
            "CreationTimestamp": created,
        }

    def list_faces(self, collection_id: str) -> list[dict[str, Any]]:
        """ListFaces: every face record, in the order indexed."""
        with self._transaction() as connection:
            self._generation(connection, collection_id)
            rows = connection.execute(
                "SELECT record FROM faces WHERE collection_id = ? ORDER BY seq", (collection_id,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def delete_faces(self, collection_id: str, face_ids: Sequence[str]) -> list[str]:
        """DeleteFaces: the ids actually deleted (unknown ids are skipped, as Rekognition does)."""
        with self._transaction(write=True) as connection:
            self._generation(connection, collection_id)
            deleted = [
                face_id
                for face_id in face_ids
                if connection.execute(
                    "DELETE FROM faces WHERE collection_id = ? AND face_id = ?",
                    (collection_id, face_id),
                ).rowcount
            ]
            if deleted:
                self._bump(connection, collection_id)
        return deleted

    def search(
        self,
        collection_id: str,
        encoding: np.ndarray | Sequence[float],
        threshold: float = 80.0,
        max_faces: int = 4096,
    ) -> list[dict[str, Any]]:
        """SearchFacesByImage's FaceMatches for one probe encoding (defaults as Rekognition's)."""
        probe = _as_vectors(encoding)[0]
        if not 0 <= threshold <= 100 or not 1 <= max_faces <= 4096:
            raise RekognitionError(
                "InvalidParameterException",
                "FaceMatchThreshold must be 0-100 and MaxFaces 1-4096",
            )
        with self._transaction() as connection:
            matrix = self._matrix(connection, collection_id)
            return _face_matches(connection, matrix.nearest(probe, threshold, max_faces))

    def index_faces(
        self,
        collection_id: str,
        encodings: np.ndarray | Sequence[Sequence[float]],
        faces: Sequence[dict[str, Any]],
        unless_match: float | None = None,
    ) -> list[dict[str, Any]]:
        """IndexFaces for known encodings; ``faces`` give each one's BoundingBox, Confidence and
        ExternalImageId. Returns the Face records (with new FaceId and ImageId UUIDs).

        With ``unless_match`` (a similarity threshold) the first face is checked against the
        collection inside the same write transaction, and FaceAlreadyIndexed is raised instead of
        indexing when it matches: concurrent registrations of one face cannot both get in.
        """
        block = _as_vectors(encodings)
        if len(block) != len(faces):
            raise RekognitionError(
                "InvalidParameterException", "one face description is needed per encoding"
            )
        records = [
            {
                "FaceId": str(uuid.uuid4()),
                "BoundingBox": face.get("BoundingBox", {}),
                "ImageId": str(uuid.uuid4()),
                "ExternalImageId": face.get("ExternalImageId"),
                "Confidence": face.get("Confidence", 100.0),
            }
            for face in faces
        ]
        for record in records:
            external_id = record["ExternalImageId"]
            if external_id is None:
                del record["ExternalImageId"]
            elif not isinstance(external_id, str) or not _EXTERNAL_IMAGE_ID.fullmatch(external_id):
                raise RekognitionError(
                    "InvalidParameterException",
                    f"ExternalImageId {external_id!r} must match [a-zA-Z0-9_.\\-:]+ "
                    "(1-255 characters)",
                )
        with self._transaction(write=True) as connection:
            matrix = self._matrix(connection, collection_id)
            if unless_match is not None and len(block):
                matches = _face_matches(connection, matrix.nearest(block[0], unless_match, 1))
                if matches:
                    raise FaceAlreadyIndexed(matches)
            (last_seq,) = connection.execute("SELECT COALESCE(MAX(seq), 0) FROM faces").fetchone()
            connection.executemany(
                "INSERT INTO faces (collection_id, face_id, record, vector) VALUES (?, ?, ?, ?)",
                [
                    (collection_id, record["FaceId"], json.dumps(record), row.tobytes())
                    for record, row in zip(records, block, strict=True)
                ],
            )
            seqs = np.fromiter(
                (row[0] for row in connection.execute(
                    "SELECT seq FROM faces WHERE seq > ? ORDER BY seq", (last_seq,)
                )),
                dtype=np.int64,
            )
            generation = self._bump(connection, collection_id)
            self._extend_cache(collection_id, matrix, generation, seqs, block)
        return records

    def _extend_cache(
        self,
        collection_id: str,
        matrix: _Matrix,
        generation: int,
        seqs: np.ndarray,
        block: np.ndarray,
    ) -> None:
        """Keep the cached matrix current after our own write instead of reloading it all.

        Runs while the write lock is held, so ``matrix`` was current when the rows went in. If
        the commit then fails, SQLite keeps the old generation, which no longer matches the
        cache's, so the next reader reloads.
        """
        with self._cache_lock:
            if self._cache.get((str(self.path), collection_id)) is matrix:
                matrix.append(seqs, block)
                matrix.generation = generation
