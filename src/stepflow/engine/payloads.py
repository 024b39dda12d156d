"""The JSON text of an execution's payloads, reusing the text of large values already encoded.

Every state's input and output goes into the history as JSON text, and is measured against
AWS's 256 KiB quota. A large value usually travels unchanged from state to state inside new,
small containers (ResultPath adds a field beside it), so its text is made once and reused.
This is safe because the engine never changes a value once made (see ResultPath and templates):
a remembered container keeps its text for as long as it lives, and the encoder keeps it alive,
so its ``id`` cannot be taken by another object during the run.
"""
from __future__ import annotations

import threading
from typing import Any

from stepflow.asl.paths import to_json

# Below this many characters a value is encoded whole each time: cheaper than looking inside it.
LARGE = 16 * 1024


class PayloadEncoder:
    """Compact JSON text (as ``to_json``) with the texts of large containers remembered by identity."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[Any, str]] = {}
        self._lock = threading.Lock()

    def encode(self, value: Any) -> str:
        known = self._texts.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        # Most runs carry no large value: then nothing is remembered and a plain encoding serves.
        if self._texts and isinstance(value, dict) and any(self._known(child) for child in value.values()):
            text = "{" + ",".join(f"{to_json(key)}:{self.encode(child)}" for key, child in value.items()) + "}"
        else:
            text = to_json(value)
        if len(text) >= LARGE and isinstance(value, (dict, list)):
            self._remember(value, text)
        return text

    def _known(self, value: Any) -> bool:
        known = self._texts.get(id(value))
        return known is not None and known[0] is value

    def _remember(self, value: Any, text: str) -> None:
        """Keep ``value``'s text, and that of its large children, which the next states will share."""
        with self._lock:
            self._texts[id(value)] = (value, text)
        if isinstance(value, dict):
            for child in value.values():
                if isinstance(child, (dict, list)) and not self._known(child):
                    child_text = to_json(child)
                    if len(child_text) >= LARGE:
                        with self._lock:
                            self._texts[id(child)] = (child, child_text)
