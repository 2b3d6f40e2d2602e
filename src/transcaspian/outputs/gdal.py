"""Writing through GDAL (pyogrio): a staging folder, GDAL's errors as ours, config options set for one write."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyogrio
import pyogrio.errors

from transcaspian.errors import OutputError
from transcaspian.files import output_error, target_mode


@contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A fresh hidden folder inside ``folder``; removed afterwards.

    Files are written there under their final names (so that drivers derive
    nothing from a temporary name) and then moved into place with
    :func:`os.replace`, which is atomic within one file system.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix=".staging-"))
    except OSError as exc:
        raise output_error(folder, exc) from exc
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish(staged: Path, target: Path) -> Path:
    try:
        os.chmod(staged, target_mode(target))
        os.replace(staged, target)
    except OSError as exc:
        raise output_error(target, exc) from exc
    return target


@contextmanager
def gdal_errors(target: Path) -> Iterator[None]:
    try:
        yield
    except OutputError:
        raise  # already says what went wrong
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
        raise OutputError(f"{target}: GDAL could not write it ({' '.join(str(exc).split())})") from exc
    except OSError as exc:
        raise output_error(target, exc) from exc


@contextmanager
def gdal_config(options: Mapping[str, str]) -> Iterator[None]:
    """Set GDAL configuration options for the duration of a block."""
    previous = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(dict(options))
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)
