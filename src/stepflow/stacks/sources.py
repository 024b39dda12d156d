"""What a TEMPLATE argument is: a SAM/CloudFormation file, a CDK cloud assembly, a serverless.yml,
or a project folder holding one of them; and the template it gives, with where its files are."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepflow.stacks import cdk, sam, serverless
from stepflow.stacks.errors import TemplateError
from stepflow.stacks.loading import load_document

_PROJECT_FILES = ("template.yaml", "template.yml", "template.json", "serverless.yml", "serverless.yaml", "cdk.out")


@dataclass
class Source:
    """A loaded template: CloudFormation resources (SAM already transformed) and where files are."""

    path: Path  # the file read (for messages)
    folder: Path  # relative paths in the template start here
    template: dict[str, Any]
    kind: str  # "cloudformation", "sam", "cdk" or "serverless"
    assets: dict[str, Path] = field(default_factory=dict)


def is_template(path: Path) -> bool:
    """Whether ``stepflow run`` should treat the file as a template rather than an ASL definition."""
    if path.is_dir() or serverless.is_serverless(path) or cdk.is_assembly(path):
        return True
    if path.name.endswith((".asl.json", ".asl.yaml", ".asl.yml")):
        return False
    if path.suffix in (".yaml", ".yml"):
        return True
    if path.suffix == ".json" and path.is_file():
        try:
            return "Resources" in json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError):
            return False
    return False


def project_file(path: Path) -> Path:
    """A folder's template (template.yaml, serverless.yml or cdk.out), or the path itself."""
    if not path.is_dir() or (path / "manifest.json").is_file():
        return path
    for name in _PROJECT_FILES:
        if (path / name).exists():
            return path / name
    raise TemplateError(f"no template in this folder (looked for {', '.join(_PROJECT_FILES)})", str(path))


def default_stack_name(path: Path) -> str:
    """The project folder's name, as a valid stack name (letters, digits, hyphens)."""
    folder = path.resolve()
    folder = folder if folder.is_dir() else folder.parent
    if folder.name == "cdk.out":
        folder = folder.parent
    name = re.sub(r"[^A-Za-z0-9-]+", "-", folder.name).strip("-")
    return name if name[:1].isalpha() else f"stack-{name}".rstrip("-")


def load(path: Path, options: dict[str, str]) -> Source:
    path = project_file(path)
    if not path.exists():
        raise TemplateError("no such file or folder", str(path))
    if cdk.is_assembly(path):
        file = cdk.template_file(path)
        return Source(file, file.parent, _mapping(load_document(file), file), "cdk", cdk.asset_folders(file))
    if serverless.is_serverless(path):
        return Source(path, path.parent, serverless.to_template(path, options), "serverless")
    template = _mapping(load_document(path), path)
    if sam.uses_sam(template):
        return Source(path, path.parent, sam.transform(template, str(path)), "sam")
    return Source(path, path.parent, template, "cloudformation")


def _mapping(document: Any, path: Path) -> dict[str, Any]:
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError("a template needs a Resources mapping", str(path))
    return document
