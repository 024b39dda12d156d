"""A Distributed Map's own fields, compiled once with the rest of the machine: the processor as
a definition of its own (what a child execution runs, shippable as JSON), Label, and the
ItemReader / ItemBatcher / ResultWriter with their paths, templates or JSONata expressions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stepflow.asl import model
from stepflow.asl.jsonata import is_expression
from stepflow.asl.paths import compile_path
from stepflow.asl.templates import compile_template
from stepflow.engine.jsonata_flow import JsonataField


@dataclass(frozen=True)
class ReaderSpec:
    resource: str
    parameters: Any  # rendered against the effective input (``render``), or None
    config: dict[str, Any]  # ReaderConfig's fields but MaxItems
    max_items: Any  # a number, a path or an expression (``find``), or None


@dataclass(frozen=True)
class BatcherSpec:
    max_items: Any
    max_bytes: Any
    batch_input: Any


@dataclass(frozen=True)
class WriterSpec:
    resource: str | None
    parameters: Any
    config: dict[str, Any]


def is_distributed(state: Any) -> bool:
    processor = getattr(state, "ItemProcessor", None) or getattr(state, "Iterator", None)
    return processor is not None and processor.ProcessorConfig.Mode == "DISTRIBUTED"


def distributed_fields(state: model.MapState, jsonata: bool, language: str) -> dict[str, Any]:
    """DistributedMapState's keyword arguments besides the ones an inline Map has."""
    processor = state.processor.model_dump(exclude_unset=True, exclude={"ProcessorConfig"})
    return {
        "processor_definition": {**processor, "QueryLanguage": language},
        "label": state.Label,
        "reader": _reader(state.ItemReader, jsonata) if state.ItemReader is not None else None,
        "batcher": _batcher(state.ItemBatcher, jsonata) if state.ItemBatcher is not None else None,
        "writer": _writer(state.ResultWriter, jsonata) if state.ResultWriter is not None else None,
    }


def _template(config: Any, jsonata: bool) -> Any:
    """The Parameters (JSONPath) or Arguments (JSONata) object of a reader or writer."""
    if jsonata:
        return JsonataField(config.Arguments, "Arguments") if config.Arguments is not None else None
    return compile_template(config.Parameters, "Parameters") if config.Parameters is not None else None


def _reader(reader: model.ItemReaderConfig, jsonata: bool) -> ReaderSpec:
    fields = dict(reader.ReaderConfig or {})
    max_items = fields.pop("MaxItems", None)
    if "MaxItemsPath" in fields:
        max_items = compile_path(fields.pop("MaxItemsPath"))
    elif is_expression(max_items):
        max_items = JsonataField(max_items, "MaxItems", "integer")
    return ReaderSpec(reader.Resource, _template(reader, jsonata), fields, max_items)


def _batcher(batcher: model.ItemBatcherConfig, jsonata: bool) -> BatcherSpec:
    def number(value: Any, path: str | None, field: str) -> Any:
        if path is not None:
            return compile_path(path)
        if isinstance(value, str):  # JSONata: an expression
            return JsonataField(value, field, "integer")
        return value

    batch_input: Any = None
    if batcher.BatchInput is not None:
        batch_input = (
            JsonataField(batcher.BatchInput, "BatchInput") if jsonata
            else compile_template(batcher.BatchInput, "BatchInput")
        )
    return BatcherSpec(
        number(batcher.MaxItemsPerBatch, batcher.MaxItemsPerBatchPath, "MaxItemsPerBatch"),
        number(batcher.MaxInputBytesPerBatch, batcher.MaxInputBytesPerBatchPath, "MaxInputBytesPerBatch"),
        batch_input,
    )


def _writer(writer: model.ResultWriterConfig, jsonata: bool) -> WriterSpec:
    return WriterSpec(writer.Resource, _template(writer, jsonata), dict(writer.WriterConfig or {}))
