"""The installed version, in a module of its own so any layer can read it without importing the API."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("transcaspian")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"
