"""One convention for every list the API answers: ``limit`` and ``offset`` page through it, and
the ``X-Total-Count`` header says how many items it holds on all its pages.

The body stays a plain JSON array, so a client that reads one page keeps working; one that
pages asks again with ``offset`` + ``limit`` until it has ``X-Total-Count`` items. Lists the
database pages (actions, inspections, notifications) count in a statement of their own; the
short ones (units, users, tokens, checklist versions, one inspection's answers and findings,
team candidates) are read whole and cut here, 500 to a page unless ``limit`` says fewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from litestar import Response
from litestar.datastructures import ResponseHeader
from litestar.params import QueryParameter

T = TypeVar("T")

TOTAL = "X-Total-Count"
TOTAL_HEADER = [
    ResponseHeader(
        name=TOTAL,
        description="How many items the list holds on all its pages (page with `limit` and `offset`).",
        required=True,
        documentation_only=True,
    )
]
Limit = Annotated[int, QueryParameter(ge=1, le=500, description="The most items on this page.")]
# The short lists answered everything before they paged: their first page still holds up to 500.
WHOLE = 500


def page(items: list[T], total: int) -> Response[list[T]]:
    """One page of a list, with the total of all its pages."""
    return Response(items, headers={TOTAL: str(total)})


def cut(items: Sequence[T], limit: int, offset: int) -> Response[list[T]]:
    """The page ``offset`` .. ``offset + limit`` of a list read whole."""
    return page(list(items[offset : offset + limit]), len(items))
