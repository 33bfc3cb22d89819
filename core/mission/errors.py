"""Errors that tell the user what is wrong with a mission file, field by field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem: the field path (``constellations[0].altitude_km``) and what is wrong."""

    path: str
    message: str

    def line(self, source: str) -> str:
        return f"{source}: {self.path}: {self.message}" if self.path else f"{source}: {self.message}"


class MissionError(ValueError):
    """A mission that cannot be used. ``str()`` gives one line per problem, naming the file and field."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(p.line(source) for p in self.problems))


def field_path(loc: tuple) -> str:
    """``("constellations", 0, "altitude_km")`` -> ``constellations[0].altitude_km``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            out += ("." if out else "") + (text if text.isprintable() and text.strip() == text and text else repr(text))
    return out


def problems_from_validation(exc, hidden_loc: frozenset[str] = frozenset(), renamed: dict[str, str] | None = None) -> list[Problem]:
    """One plain-language :class:`Problem` per pydantic error, each line once.

    ``hidden_loc`` are pydantic's type tags in error locations (``float``, a union member's
    name...) that mean nothing to the user; ``renamed`` maps model field names back to the
    document's keys. pydantic reports a union failure once per member: duplicates are dropped.
    """
    renamed = renamed or {}
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors():
        message = err["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            if message.startswith(prefix):
                message = message[len(prefix):]
        loc = tuple(renamed.get(p, p) if isinstance(p, str) else p for p in err["loc"]
                    if not (isinstance(p, str) and p in hidden_loc))
        if err["type"] == "missing":
            message = "is required"
        elif err["type"] == "extra_forbidden":
            message = "is not a known key"
        problem = Problem(field_path(loc), message)
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            problems.append(problem)
    return problems
