"""``stepflow.client.Client``: the documented import of the API client (it lives in ``stepflow.api``)."""
from stepflow.api.client import Client, PageIterator, Paginator

__all__ = ["Client", "PageIterator", "Paginator"]
