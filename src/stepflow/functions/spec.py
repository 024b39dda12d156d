"""What a template says about one function: its code, handler, runtime, layers and environment."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function as the template declares it, with paths already made absolute.

    ``problem`` says why it cannot run here (an image, inline code, an unsupported runtime), with
    what it needs; ``where`` locates it in the template for messages.
    """

    logical_id: str
    name: str
    arn: str
    runtime: str
    handler: str
    code: Path | None
    where: str
    layers: tuple[Path, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)
    timeout: float = 3.0
    memory: int = 128
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "logical_id": self.logical_id, "name": self.name, "arn": self.arn, "runtime": self.runtime,
            "handler": self.handler, "code": str(self.code) if self.code else None, "where": self.where,
            "layers": [str(layer) for layer in self.layers], "environment": self.environment,
            "timeout": self.timeout, "memory": self.memory, "problem": self.problem,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FunctionSpec:
        return cls(**{**data, "code": Path(data["code"]) if data["code"] else None,
                      "layers": tuple(Path(layer) for layer in data["layers"])})
