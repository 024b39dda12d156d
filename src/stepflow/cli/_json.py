"""Printing a command's answer as the AWS CLI prints it: indented JSON."""
from __future__ import annotations

import json


def print_json(document: object) -> int:
    """Print ``document`` and return the command's exit status, 0."""
    print(json.dumps(document, indent=4))
    return 0
