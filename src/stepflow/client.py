"""``stepflow.client.Client``: the documented import of the API client (it lives in ``stepflow.api``)."""
from stepflow.api.client import Client
from stepflow.api.pagination import PageIterator, Paginator

__all__ = ["Client", "PageIterator", "Paginator"]
