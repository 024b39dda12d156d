"""ItemBatcher: groups a Map Run's items so each child execution gets ``{"Items": [...]}`` (plus
``"BatchInput"`` when given), as AWS shapes a batch (test_map_item_batching_base_json_max_per_batch_jsonata).

A batch closes at MaxItemsPerBatch items, or before an item that would take its JSON past
MaxInputBytesPerBatch bytes (an item larger than that alone still forms a batch of one, whose
child then meets the payload limit as on AWS).
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from stepflow.asl.paths import to_json
from stepflow.engine.maprun.readers import ItemReaderFailed

MAX_BYTES_LIMIT = 256 * 1024  # AWS: MaxInputBytesPerBatch up to 256 KiB


def check_batch_limits(max_items: Any, max_bytes: Any) -> tuple[int | None, int | None]:
    """MaxItemsPerBatch / MaxInputBytesPerBatch after their paths were read: positive integers."""
    for name, value in (("MaxItemsPerBatch", max_items), ("MaxInputBytesPerBatch", max_bytes)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise ItemReaderFailed(f"field {name} must be a positive integer, got {json.dumps(value)}")
    if max_bytes is not None and max_bytes > MAX_BYTES_LIMIT:
        raise ItemReaderFailed(f"field MaxInputBytesPerBatch must be at most {MAX_BYTES_LIMIT}")
    return max_items, max_bytes


def batches(
    items: Iterator[Any], max_items: int | None, max_bytes: int | None, batch_input: Any = None
) -> Iterator[dict[str, Any]]:
    """The batches of ``items``, lazily."""
    has_input = batch_input is not None
    # The bytes a batch costs besides its items: the envelope, BatchInput, and one comma per item.
    envelope = len(to_json({"BatchInput": batch_input, "Items": []} if has_input else {"Items": []}).encode())
    batch: list[Any] = []
    size = envelope
    for item in items:
        item_size = len(to_json(item).encode()) + 1 if max_bytes is not None else 0
        if batch and (
            (max_items is not None and len(batch) >= max_items)
            or (max_bytes is not None and size + item_size > max_bytes)
        ):
            yield _batch(batch, batch_input, has_input)
            batch, size = [], envelope
        batch.append(item)
        size += item_size
    if batch:
        yield _batch(batch, batch_input, has_input)


def _batch(items: list[Any], batch_input: Any, has_input: bool) -> dict[str, Any]:
    return {"BatchInput": batch_input, "Items": items} if has_input else {"Items": items}
