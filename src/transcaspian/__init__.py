"""transcaspian: measured, source-checked maps of the links across the Caspian."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("transcaspian")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["__version__"]
