"""The base every mission-file model shares: unknown keys refused, numbers finite, no booleans for numbers.

YAML reads ``yes``, ``on`` and ``true`` as booleans, and pydantic would quietly take a
boolean as the number 1 or 0 (``planes: true`` as one plane). :class:`NoBoolNumbers`
refuses a boolean for any field whose type does not name ``bool``. Every model of the
mission file derives from :class:`Strict`, which adds ``extra="forbid"`` and
``allow_inf_nan=False``, so every field, including new ones, refuses unknown keys, NaN and infinity.
"""

from __future__ import annotations

import typing

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


def _allows_bool(annotation: object) -> bool:
    if annotation is bool:
        return True
    return any(_allows_bool(arg) for arg in typing.get_args(annotation))


class NoBoolNumbers(BaseModel):
    """Refuses ``true``/``false`` where a field wants a number or text."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and not _allows_bool(field.annotation):
                raise ValueError(f"must be a number or text, not {str(value).lower()} (a yes/no value)")
        return value


class Strict(NoBoolNumbers):
    """The base of every mission-file model: unknown keys, NaN/infinity and booleans-for-numbers refused."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)
