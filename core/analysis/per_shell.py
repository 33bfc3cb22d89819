"""Results that hold one entry per constellation shell (power, compute)."""

from __future__ import annotations


class PerShell:
    """Mixin for a result whose ``shells`` tuple holds one entry per shell.

    Each entry has a ``shell`` name and a ``to_json()``; the result's JSON is their list, in the
    mission's order.
    """

    shells: tuple

    def shell(self, name: str):
        """The entry of the shell called ``name`` (KeyError if there is none)."""
        for s in self.shells:
            if s.shell == name:
                return s
        raise KeyError(name)

    def to_json(self) -> list[dict]:
        return [s.to_json() for s in self.shells]
