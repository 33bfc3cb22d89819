"""The base of the globe's own lean visuals (dots, segments, orbit rings).

vispy's stock visuals check and convert their input on every ``set_data`` and carry options the
globe never uses; on software OpenGL that Python work is a visible share of a frame. A plain
visual is one shader program whose only transform is the scene's.
"""

from __future__ import annotations

from vispy import visuals


class PlainVisual(visuals.Visual):
    """A single-program visual drawn with the view's transform and no per-draw preparation."""

    def _prepare_transforms(self, view) -> None:
        view.view_program.vert["transform"] = view.get_transform()

    def _prepare_draw(self, view) -> bool:
        return True
