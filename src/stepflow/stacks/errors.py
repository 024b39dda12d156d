"""The error a template, a parameter or a resource raises: it names the file and the place in it."""
from __future__ import annotations

from stepflow.asl.errors import StepflowError


class TemplateError(StepflowError):
    """A template stepflow cannot bring up as written, with where (file, resource, property)."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
