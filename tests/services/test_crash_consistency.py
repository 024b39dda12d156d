"""A process killed (SIGKILL) in the middle of writing leaves every store whole and usable."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from stepflow.services.faces import FaceCollections
from stepflow.services.tables import Tables

WRITER = textwrap.dedent(
    """
    import sys, numpy as np
    from pathlib import Path
    from stepflow.services.faces import FaceCollections
    from stepflow.services.tables import Tables
    root = Path(sys.argv[1])
    faces, tables = FaceCollections(root), Tables(root)
    rng = np.random.default_rng(0)
    print("ready", flush=True)
    n = 0
    while True:
        faces.index_faces("rider-photos", rng.normal(size=(50, 128)),
                          [{"ExternalImageId": f"user_{n}_{i}"} for i in range(50)])
        tables.put_item("riders", {"Username": f"user_{n}", "faces": list(range(200)), "n": n})
        n += 1
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_sigkill_mid_write_leaves_collection_and_table_whole(tmp_path):
    FaceCollections(tmp_path).create_collection("rider-photos")
    Tables(tmp_path).create("riders", "Username")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    writer.send_signal(signal.SIGKILL)
    writer.wait()

    for store in ("rekognition.sqlite3", "dynamodb.sqlite3"):
        with sqlite3.connect(tmp_path / store) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    faces = FaceCollections(tmp_path).list_faces("rider-photos")
    assert len(faces) > 0 and len(faces) % 50 == 0  # whole batches only
    items = Tables(tmp_path).scan("riders")
    assert all(item["faces"] == list(range(200)) for item in items)  # whole items only
    assert len(items) in (len(faces) // 50, len(faces) // 50 - 1)  # killed between the two?
    # still usable: a search over everything, and a new write
    probe = np.random.default_rng(0).normal(size=128)
    assert FaceCollections(tmp_path).search("rider-photos", probe, threshold=0, max_faces=3)
    FaceCollections(tmp_path).index_faces("rider-photos", [probe], [{"ExternalImageId": "after"}])
