"""Dotted paths into plain data: ``constellations[0].altitude_km``, ``buses[eo-orin].compute_units``,
``latency[*].median_ms``, ``access[Svalbard].contact_s``.

A path is a list of parts: a string is a mapping key, an ``int`` a list index, ``"*"`` (written
``[*]``) every element of a list. In ``[...]`` a non-integer picks a mapping key or, in a list,
the element whose name (``name``, ``shell``, ``station`` or ``from-to``) matches.

>>> parse_path("constellations[0].altitude_km")
['constellations', 0, 'altitude_km']
>>> get_path({"a": [{"b": 1}, {"b": 2}]}, "a[*].b")
[1, 2]
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"\[([^\]]*)\]|\.?([^.\[\]]+)")

WILDCARD = "*"


class PathError(ValueError):
    """A path that cannot be parsed, or does not lead anywhere in the data."""


class Missing(PathError):
    """The path is well formed but the data has no such key (``where`` says which part)."""

    def __init__(self, message: str, where: list, available: list[str] | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.available = available or []


def parse_path(text: str) -> list:
    """``"a.b[0][*]"`` -> ``["a", "b", 0, "*"]``."""
    if not isinstance(text, str) or not text.strip():
        raise PathError("empty path")
    text = text.strip()
    parts: list = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise PathError(f"cannot read the path at {text[pos:]!r}")
        bracket, name = m.group(1), m.group(2)
        if bracket is not None:
            inner = bracket.strip()
            if not inner:
                raise PathError("empty [] in the path")
            if inner == WILDCARD:
                parts.append(WILDCARD)
            elif re.fullmatch(r"-?\d+", inner):
                parts.append(int(inner))
            else:
                parts.append(inner.strip("'\""))
        else:
            if m.group(0).startswith(".") and not parts:
                raise PathError("a path cannot start with '.'")
            parts.append(name.strip())
        pos = m.end()
    return parts


def format_path(parts: list) -> str:
    out = ""
    for p in parts:
        if isinstance(p, int) or p == WILDCARD:
            out += f"[{p}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(p)):
            out += ("." if out else "") + str(p)
        else:
            out += f"[{p}]"
    return out


def _element_name(item: Any) -> list[str]:
    if not isinstance(item, dict):
        return []
    names = [str(item[k]) for k in ("name", "shell", "station") if k in item]
    if "from" in item and "to" in item:
        names.append(f"{item['from']}-{item['to']}")
    return names


def _list_key(seq: list, key: str, where: list) -> int:
    for i, item in enumerate(seq):
        if key in _element_name(item):
            return i
    raise Missing(f"no element named {key!r} in {format_path(where) or 'the document'}", where,
                  [n for item in seq for n in _element_name(item)[:1]])


def get_path(data: Any, path: str | list) -> Any:
    """The value at ``path``; a ``[*]`` part gives a list (one entry per element). Raises :class:`Missing`."""
    parts = parse_path(path) if isinstance(path, str) else list(path)
    return _get(data, parts, [])


def _get(node: Any, parts: list, where: list) -> Any:
    if not parts:
        return node
    head, rest = parts[0], parts[1:]
    here = where + [head]
    if head == WILDCARD:
        if not isinstance(node, list):
            raise Missing(f"{format_path(where)} is not a list", where)
        return [_get(item, rest, where + [i]) for i, item in enumerate(node)]
    if isinstance(node, list):
        index = head if isinstance(head, int) else _list_key(node, str(head), where)
        if not -len(node) <= index < len(node):
            raise Missing(f"{format_path(here)}: index out of range (the list has {len(node)} entries)", where)
        return _get(node[index], rest, here)
    if isinstance(node, dict):
        if head not in node:
            raise Missing(f"{format_path(here)}: no such key", where, [str(k) for k in node])
        return _get(node[head], rest, here)
    raise Missing(f"{format_path(where)} has no parts below it (it is {node!r})", where)


def set_path(data: Any, path: str | list, value: Any) -> None:
    """Set ``value`` at ``path`` in place, creating missing mappings; ``[*]`` sets every element.

    A list index must already exist (a design changes a shell, it does not invent one).
    """
    parts = parse_path(path) if isinstance(path, str) else list(path)
    if not parts:
        raise PathError("empty path")
    _set(data, parts, value, [])


def _set(node: Any, parts: list, value: Any, where: list) -> None:
    head, rest = parts[0], parts[1:]
    here = where + [head]
    if head == WILDCARD:
        if not isinstance(node, list):
            raise Missing(f"{format_path(where)} is not a list", where)
        for i, item in enumerate(node):
            if rest:
                _set(item, rest, value, where + [i])
            else:
                node[i] = value
        return
    if isinstance(node, list):
        index = head if isinstance(head, int) else _list_key(node, str(head), where)
        if not -len(node) <= index < len(node):
            raise Missing(f"{format_path(here)}: index out of range (the mission has {len(node)})", where)
        if rest:
            _set(node[index], rest, value, here)
        else:
            node[index] = value
        return
    if isinstance(node, dict):
        key = str(head)
        if not rest:
            node[key] = value
            return
        if node.get(key) is None:
            if isinstance(rest[0], int) or rest[0] == WILDCARD:
                raise Missing(f"{format_path(here)} is not in the mission", where)
            node[key] = {}
        _set(node[key], rest, value, here)
        return
    raise Missing(f"{format_path(where)} is a value ({node!r}), not a mapping or list", where)
