"""Subtree filters on materialised paths, written so each database uses its index.

PostgreSQL: ``path LIKE '/00/33/%'`` uses the ``varchar_pattern_ops`` index Django creates for the
unique ``path`` column, whatever the database collation. SQLite: its LIKE is case-insensitive
and never uses an index, so the same subtree is asked as the byte range
``['/00/33/', '/00/330')`` — '0' is the character right after '/' — which uses the index
(measured in bench/offices: 7 ms full scan -> 0.2 ms at 91,600 offices).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from .models import NATIONAL_CODE, PATH_SEPARATOR

ROOT_PATH = f"{PATH_SEPARATOR}{NATIONAL_CODE}{PATH_SEPARATOR}"


def ancestor_paths(path: str) -> list[str]:
    """The paths of every office above the one at ``path``, nearest last, itself excluded:
    ``/00/33/33.20/`` -> ``['/00/', '/00/33/']``."""
    parts = [part for part in path.split(PATH_SEPARATOR) if part]
    return [PATH_SEPARATOR + PATH_SEPARATOR.join(parts[:n]) + PATH_SEPARATOR for n in range(1, len(parts))]


def subtree(path: str, *, field: str = "path") -> Q:
    """Rows whose ``field`` is ``path`` or lies below it."""
    if not path.endswith(PATH_SEPARATOR):
        raise ValueError(f"not a tree path: {path!r}")
    if path == ROOT_PATH:
        return Q(**{f"{field}__startswith": PATH_SEPARATOR})
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": path, f"{field}__lt": path[:-1] + chr(ord(PATH_SEPARATOR) + 1)})
    return Q(**{f"{field}__startswith": path})


def subtree_any(paths: list[str], *, field: str = "path") -> Q:
    """Rows below any of ``paths``; paths covered by a shorter one are dropped first."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    query = Q(pk__in=[])
    for path in kept:
        query |= subtree(path, field=field)
    return query
