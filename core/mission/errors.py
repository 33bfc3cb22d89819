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
