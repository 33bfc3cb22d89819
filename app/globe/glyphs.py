"""Label glyphs rendered once per process, off the GUI thread.

vispy's text visual renders each character it meets as a signed distance field (freetype at
256 pt, then a CPU distance transform): about 10 ms a glyph, so a globe's first station and
city labels cost 0.4-2 s on the GUI thread, at any satellite count. Here every glyph is rendered
once per process into :data:`CACHE` (outline metrics, kerning and the low-resolution distance
field, the very bytes vispy would store), by a background thread started with the first globe
(:func:`start_warming`: the printable ASCII characters, a glyph at a time) and by the worker
that prepares a view (:func:`render`: the characters of the mission's place names). A label
visual made with :func:`font_manager` then only copies each glyph's bytes into its own atlas.
"""

from __future__ import annotations

import string
import threading

import numpy as np
from vispy.util.fonts import _load_glyph
from vispy.visuals.text.text import FontManager, SDFRendererCPU, TextureFont

LABEL_FACE = "OpenSans"
"""The face of the globe's labels (vispy's bundled default)."""
ALIGN_CHARS = "ÅÉÑŐjgpqy"
"""The characters vispy measures for every text's vertical alignment (``_text_to_vbo``)."""
WARM_CHARS = ALIGN_CHARS + " " + string.printable[:94]
"""Rendered at start-up: those and the space (the globe's first frame draws them), then digits, letters, punctuation."""
SDF_SIZE_PT, ATLAS_SIZE_PT, SDF_SPREAD_PX = 256, 64, 32
"""vispy's ``TextureFont`` sizes: glyphs rendered at 256 pt with a 32 px border, stored at 64 pt."""


FREETYPE_LOCK = threading.Lock()
"""Held around every freetype call of the labels: freetype-py calls the library through ctypes, which
releases the GIL, and one FreeType library must not be used by two threads at once."""


class GlyphCache:
    """Glyphs of one face at vispy's SDF size, filled by any thread (one glyph at a time, under a lock)."""

    def __init__(self, face: str = LABEL_FACE, bold: bool = False, italic: bool = False):
        self.font = dict(face=face, bold=bold, italic=italic, size=SDF_SIZE_PT)
        self.ratio, self.spread = SDF_SIZE_PT // ATLAS_SIZE_PT, SDF_SPREAD_PX
        self.glyphs: dict[str, dict] = {}
        """char -> vispy's glyph dict (offset, advance, kerning against every cached char), no bitmap."""
        self.fields: dict[str, np.ndarray] = {}
        """char -> its distance field, ``(h, w, 3)`` uint8, as vispy stores it in a font atlas."""
        self.rendered_by: dict[str, str] = {}
        """char -> name of the thread that rendered it (tests read it)."""
        self._lock = FREETYPE_LOCK
        self._renderer = SDFRendererCPU()

    def render(self, chars: str) -> None:
        """Render every character of ``chars`` not cached yet (each under the lock, so another
        thread asking for a glyph waits at most for one)."""
        for char in dict.fromkeys(chars):
            if char not in self.fields:
                with self._lock:
                    if char not in self.fields:
                        self._render_one(char)

    def _render_one(self, char: str) -> None:
        """vispy's ``TextureFont._load_char``, into a plain array instead of a GL atlas."""
        _load_glyph(self.font, char, self.glyphs)  # adds the glyph and the kerning both ways
        glyph = self.glyphs[char]
        bitmap = glyph.pop("bitmap")
        sp = self.spread
        data = np.zeros((bitmap.shape[0] + 2 * sp, bitmap.shape[1] + 2 * sp), np.uint8)
        data[sp:-sp, sp:-sp] = bitmap
        h, w = data.shape[0] // self.ratio, data.shape[1] // self.ratio
        field = np.zeros((h, w, 3), np.uint8)
        self._renderer.render_to_texture(data, field, (0, 0), (w, h))
        self.fields[char] = field
        self.rendered_by[char] = threading.current_thread().name


CACHE = GlyphCache()
"""The process's glyphs of the label face."""
_warming: threading.Thread | None = None


def render(chars: str) -> None:
    """Render the glyphs of ``chars`` into :data:`CACHE` now (call it off the GUI thread)."""
    CACHE.render(chars)


def start_warming(chars: str = WARM_CHARS) -> threading.Thread:
    """Render ``chars`` on a background thread ("label-glyphs"), once per process; the thread."""
    global _warming
    if _warming is None:
        _warming = threading.Thread(target=CACHE.render, args=(chars,), name="label-glyphs", daemon=True)
        _warming.start()
    return _warming


class CachedTextureFont(TextureFont):
    """A vispy texture font whose glyphs come from :data:`CACHE` (rendered there when missing)."""

    def _load_char(self, char: str) -> None:
        f = self._font
        if (f["face"], f["bold"], f["italic"]) != (CACHE.font["face"], CACHE.font["bold"], CACHE.font["italic"]):
            with FREETYPE_LOCK:  # another face: vispy renders it here, never beside the warming thread
                super()._load_char(char)
            return
        CACHE.render(char)
        field = CACHE.fields[char]
        h, w = field.shape[:2]
        region = self._atlas.get_free_region(w + 2, h + 2)
        if region is None:
            raise RuntimeError("Cannot store glyph")
        x, y = region[0] + 1, region[1] + 1
        self._atlas[y : y + h, x : x + w] = field
        shape = self._atlas.shape
        glyph = dict(CACHE.glyphs[char])  # the kerning dict is shared: it grows as the cache does
        glyph.update(size=(w, h), texcoords=(x / shape[1], y / shape[0], (x + w) / shape[1], (y + h) / shape[0]))
        self._glyphs[char] = glyph


class CachedFontManager(FontManager):
    """vispy's font manager, handing out :class:`CachedTextureFont` (one per visual and face)."""

    def get_font(self, face: str, bold: bool = False, italic: bool = False) -> TextureFont:
        key = f"{face}-{bold}-{italic}"
        if key not in self._fonts:
            self._fonts[key] = CachedTextureFont(dict(face=face, bold=bold, italic=italic), self._renderer)
        return self._fonts[key]


def font_manager() -> CachedFontManager:
    """A font manager for one label visual (``scene.visuals.Text(font_manager=font_manager())``)."""
    return CachedFontManager()
