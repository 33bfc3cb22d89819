"""StarNet Studio engine: missions, orbits and analyses of computing constellations (no GUI)."""

__version__ = "0.1.0"
