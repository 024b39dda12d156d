"""A CDK app's cloud assembly (``cdk.out/``): its stack templates and their asset folders.

``manifest.json`` lists the stacks (artifacts of type ``aws:cloudformation:stack``) and each
stack's ``*.assets.json`` maps an asset's S3 object key to its folder in the assembly, which is
where a function's ``Code: {S3Bucket, S3Key}`` really lives.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stepflow.stacks.errors import TemplateError


def is_assembly(path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    return (folder / "manifest.json").is_file() and (path.is_dir() or path.name.endswith(".template.json"))


def template_file(path: Path) -> Path:
    """The stack template the path names: the file itself, or the assembly's only stack."""
    if path.is_file():
        return path
    manifest = _read(path / "manifest.json")
    stacks = [artifact["properties"]["templateFile"] for artifact in manifest.get("artifacts", {}).values()
              if artifact.get("type") == "aws:cloudformation:stack"]
    if len(stacks) != 1:
        raise TemplateError(f"the cloud assembly holds {len(stacks)} stacks ({', '.join(stacks) or 'none'}): "
                            "name one of its *.template.json files", str(path))
    return path / stacks[0]


def asset_folders(template: Path) -> dict[str, Path]:
    """S3 object key -> the asset's folder (or file), from the stack's assets manifest."""
    found: dict[str, Path] = {}
    manifest_file = template.with_name(template.name.replace(".template.json", ".assets.json"))
    if not manifest_file.is_file():
        return found
    for asset in _read(manifest_file).get("files", {}).values():
        source = template.parent / asset["source"]["path"]
        for destination in asset.get("destinations", {}).values():
            found[destination["objectKey"]] = source
    return found


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TemplateError(f"cannot read the cloud assembly file: {error}", str(path)) from None
