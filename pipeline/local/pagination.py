"""Pagination of the local Step Functions API: opaque tokens, page sizes and paginators.

Tokens are URL-safe base64 of a small JSON value the operation chooses (an offset, or the
last item of the page for keyset paging); ``LocalPaginator`` gives the ``paginate(**kwargs)``
of botocore's paginators, ``PaginationConfig`` included.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

from pipeline.local.client_errors import InvalidToken, ValidationException, raise_client_error

#: Operations with a paginator, and the key of their items.
PAGINATED = {
    "list_executions": "executions",
    "get_execution_history": "events",
    "list_state_machines": "stateMachines",
}


def encode_token(value: Any) -> str:
    """An opaque ``nextToken`` carrying ``value``."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def decode_token(token: str, operation: str) -> Any:
    """The value of a token from ``encode_token``; InvalidToken for anything else."""
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise_client_error(InvalidToken, operation, f"Invalid Token: '{token}'")


def page_size(max_results: int | None, operation: str, default: int) -> int:
    """``maxResults`` checked as AWS checks it (1-1000; 0 or absent means the default)."""
    if max_results in (None, 0):
        return default
    if not 0 < max_results <= 1000:
        raise_client_error(ValidationException, operation, "maxResults must be between 1 and 1000")
    return int(max_results)


class LocalPaginator:
    """What ``client.get_paginator(name)`` returns: ``paginate(**kwargs)`` yields pages like botocore."""

    def __init__(self, method: Callable[..., dict[str, Any]], result_key: str) -> None:
        self._method, self._result_key = method, result_key

    def paginate(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Yield response pages; ``PaginationConfig`` takes MaxItems, PageSize and StartingToken."""
        config = kwargs.pop("PaginationConfig", None) or {}
        max_items = config.get("MaxItems")
        if config.get("PageSize"):
            kwargs["maxResults"] = config["PageSize"]
        token = config.get("StartingToken")
        returned = 0
        while True:
            if token:
                kwargs["nextToken"] = token
            if max_items is not None:
                left = int(max_items) - returned
                kwargs["maxResults"] = min(kwargs.get("maxResults") or 1000, left)
            page = self._method(**kwargs)
            returned += len(page[self._result_key])
            token = page.get("nextToken")
            if max_items is not None and returned >= int(max_items):
                page.pop("nextToken", None)
                if token:
                    page["NextToken"] = token
                yield page
                return
            yield page
            if not token:
                return
