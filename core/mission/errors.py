"""Errors that tell the user what is wrong with a mission file, field by field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class Problem:
    """One problem: the field path (``constellations[0].altitude_km``) and what is wrong."""

    path: str
    message: str

    def line(self, source: str) -> str:
        return f"{source}: {self.path}: {self.message}" if self.path else f"{source}: {self.message}"


class MissionError(ValueError):
    """A mission that cannot be used. ``str()`` gives one line per problem, naming the file and field."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(p.line(source) for p in self.problems))


class MissionWarning(UserWarning):
    """Something a mission allows but the user should know (stale element sets); the CLI prints it."""


def field_path(loc: tuple) -> str:
    """``("constellations", 0, "altitude_km")`` -> ``constellations[0].altitude_km``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            if len(text) > 60:
                text = text[:57] + "..."
            out += ("." if out else "") + (text if text.isprintable() and text.strip() == text and text else repr(text))
    return out


def _keys_at(model: type[BaseModel] | None, loc: tuple) -> list[str]:
    """The field names of the model found by following ``loc`` (the parent of an unknown key) from ``model``."""
    import typing

    from pydantic import BaseModel

    def models_in(annotation: Any) -> list[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [m for arg in typing.get_args(annotation) for m in models_in(arg)]

    current = [model] if model is not None else []
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        following: list[type[BaseModel]] = []
        for cls in current:
            field = cls.model_fields.get(part)
            if field is not None:
                following += models_in(field.annotation)
        if not following:  # a dict key (a bus name) or a union tag: stay on the models we have
            continue
        current = following
    return sorted({name for cls in current for name in cls.model_fields})


def did_you_mean(word: str, known: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``known`` to a mistyped ``word`` (difflib), or ``""``."""
    import difflib

    close = difflib.get_close_matches(str(word), known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def problems_from_validation(exc: ValidationError, hidden_loc: frozenset[str] = frozenset(),
                             renamed: dict[str, str] | None = None, model: type | None = None) -> list[Problem]:
    """One plain-language :class:`Problem` per pydantic error, each line once.

    ``hidden_loc`` are pydantic's type tags in error locations (``float``, a union member's
    name...) that mean nothing to the user; ``renamed`` maps model field names back to the
    document's keys. pydantic reports a union failure once per member: duplicates are dropped.
    With ``model`` (the document's root model), an unknown key gets a "did you mean" hint.
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
            if model is not None and loc:
                message += did_you_mean(str(loc[-1]), _keys_at(model, tuple(err["loc"])))
        problem = Problem(field_path(loc), message)
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            problems.append(problem)
    return problems
