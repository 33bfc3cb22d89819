"""A vispy canvas that draws into a native OpenGL window instead of a QOpenGLWidget.

vispy's Qt backend renders into a ``QOpenGLWidget``: every frame goes to an offscreen
framebuffer that Qt then composes, with the rest of the window, through OpenGL. With that one
widget in it, the whole main window is composed by OpenGL on every repaint of any dock. On
software OpenGL (Mesa llvmpipe) that composition costs about 20 ms a frame at 1280x800 before
anything is drawn. A ``QOpenGLWindow`` embedded with ``QWidget.createWindowContainer`` draws
straight into its own back buffer, and the docks go back to plain raster painting.

``native_scene_canvas`` builds a vispy ``SceneCanvas`` on such a window. Mouse, wheel and key
events reach vispy through the same handlers as the stock backend (reused from it). A native
window is not captured by ``QWidget.grab()``: the backend's ``grab_frame()`` reads it back.
"""

from __future__ import annotations

from PySide6.QtGui import QImage, QWindow
from PySide6.QtOpenGL import QOpenGLWindow
from vispy import scene
from vispy.app.backends import _qt as vispy_qt


class _WindowCanvasBackend(vispy_qt.QtBaseCanvasBackend, QOpenGLWindow):
    """vispy's Qt event handling on a ``QOpenGLWindow`` (no offscreen framebuffer)."""

    def _init_specific(self, p, kwargs) -> None:
        glformat = vispy_qt._set_config(p.context.config)
        glformat.setDepthBufferSize(24)
        glformat.setStencilBufferSize(8)
        glformat.setSwapInterval(0)  # never wait for a vertical blank: the clock drives frames
        p.context.shared.add_ref("qt", self)
        QOpenGLWindow.__init__(self, QOpenGLWindow.UpdateBehavior.NoPartialUpdate, p.parent)
        self.setFormat(glformat)
        self._initialized = True

    # QWidget names the vispy mixin calls, mapped onto QWindow.
    def setMouseTracking(self, on: bool) -> None:  # noqa: N802 - Qt naming
        """A QWindow always receives mouse moves."""

    def setWindowTitle(self, title: str) -> None:  # noqa: N802 - Qt naming
        self.setTitle(title)

    def devicePixelRatioF(self) -> float:  # noqa: N802 - Qt naming
        return float(self.devicePixelRatio())

    def _vispy_set_current(self) -> None:
        if self._vispy_canvas is not None and self.isValid():
            self.makeCurrent()

    def _vispy_swap_buffers(self) -> None:
        """QOpenGLWindow swaps by itself after ``paintGL``."""

    def _vispy_get_fb_bind_location(self) -> int:
        return self.defaultFramebufferObject()

    def _vispy_close(self) -> None:
        self.close()

    def grab_frame(self) -> QImage:
        """Draw the scene into the back buffer and read it back (what the next swap would show)."""
        if not self.isValid():
            return QImage()
        self.makeCurrent()
        self.paintGL()
        return self.grabFramebuffer()

    def initializeGL(self) -> None:  # noqa: N802 - Qt naming
        if self._vispy_canvas is not None:
            self._vispy_canvas.events.initialize()

    def resizeGL(self, w: int, h: int) -> None:  # noqa: N802 - Qt naming
        if self._vispy_canvas is None:
            return
        ratio = self.devicePixelRatioF()
        self._vispy_set_physical_size(int(w * ratio), int(h * ratio))
        self._vispy_canvas.events.resize(size=(self.width(), self.height()),
                                         physical_size=(int(w * ratio), int(h * ratio)))

    def paintGL(self) -> None:  # noqa: N802 - Qt naming
        if self._vispy_canvas is None:
            return
        self._vispy_canvas.set_current()
        self._vispy_canvas.events.draw(region=None)


class NativeSceneCanvas(scene.SceneCanvas):
    """A ``SceneCanvas`` whose native object is a ``QOpenGLWindow`` (see the module docstring).

    ``parent`` must be a ``QWindow`` that the caller keeps. A window made without a parent
    belongs to Python, and at exit PySide deletes such objects before Qt destroys the widgets;
    the window container then touches its deleted window and the process crashes.
    ``createWindowContainer`` re-parents the window afterwards, so the parent only settles who
    owns it.
    """

    def __init__(self, *args, parent: QWindow, **kwargs):
        if not isinstance(parent, QWindow):
            raise TypeError("NativeSceneCanvas needs parent=<QWindow> (see the class docstring)")
        super().__init__(*args, parent=parent, **kwargs)

    def create_native(self) -> None:
        if self._backend is not None:
            return
        assert self._app.native
        _WindowCanvasBackend(self, **self._backend_kwargs)
        self._backend_kwargs = None
        self.events.draw.connect(self.context.flush_commands, position="last")
