"""Paging as the Step Functions API pages: ``nextToken`` and ``maxResults`` on the server side,
boto3's paginators (``get_paginator``) on the client side."""
from __future__ import annotations

from typing import Any, Callable

from stepflow.api.errors import InvalidToken


def page(items: list[Any], key: str, max_results: int, token: str | None, default: int) -> dict[str, Any]:
    """One page of ``items`` from ``token`` (an offset), with ``nextToken`` when more remain."""
    size = max_results or default
    try:
        start = int(token or 0)
    except ValueError:
        raise InvalidToken(f"Invalid Token: '{token}'") from None
    response: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        response["nextToken"] = str(start + size)
    return response


# Paginated operation -> the list its pages hold (botocore's paginator model for Step Functions).
PAGINATED = {
    "get_execution_history": "events",
    "list_executions": "executions",
    "list_state_machines": "stateMachines",
    "list_activities": "activities",
    "list_map_runs": "mapRuns",
}


class Paginator:
    """Pages of one listing operation, following ``nextToken`` as boto3's paginators do."""

    def __init__(self, operation: Callable[..., dict[str, Any]], result_key: str) -> None:
        self.operation, self.result_key = operation, result_key

    def paginate(self, **params: Any) -> PageIterator:
        return PageIterator(self.operation, self.result_key, params)


class PageIterator:
    def __init__(self, operation: Callable[..., dict[str, Any]], result_key: str, params: dict[str, Any]) -> None:
        self.operation, self.result_key = operation, result_key
        config = params.pop("PaginationConfig", {}) or {}
        self.params = params | ({"maxResults": config["PageSize"]} if "PageSize" in config else {})

    def __iter__(self) -> Any:
        token = None
        while True:
            page = self.operation(**self.params, **({"nextToken": token} if token else {}))
            yield page
            token = page.get("nextToken")
            if not token:
                return

    def build_full_result(self) -> dict[str, Any]:
        """Every page's items in one response, as boto3's ``build_full_result`` gives them."""
        return {self.result_key: [item for page in self for item in page[self.result_key]]}
