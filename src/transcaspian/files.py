"""Files written whole: a temporary file beside the target, renamed into place.

An interrupted or failed run never leaves a truncated file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from transcaspian.errors import OutputError


def output_error(path: str | Path, exc: OSError) -> OutputError:
    """The one-line error for an output that cannot be written.

    A folder on the path that is really a file is named, since the system's
    own words for it ("File exists", "Not a directory") do not say which.
    """
    path = Path(path)
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None and blocker != path:
            return OutputError(f"{path}: cannot write, {blocker} is a file, not a folder; choose another path")
    return OutputError(f"{path}: cannot write ({exc.strerror or exc}); check the folder and its permissions")


@contextmanager
def atomic_file(path: str | Path, *, text: bool = False) -> Iterator[IO[Any]]:
    """A stream to write one file through; the file appears only on success.

    The data goes to a hidden temporary file beside ``path`` (so the rename
    stays within one file system), renamed over ``path`` when the block ends
    without error and deleted otherwise, so an interrupted or failed run
    never leaves a truncated file. The folder is created if needed.

    Parameters
    ----------
    path : str or Path
        Target file.
    text : bool
        A UTF-8 text stream (no newline translation) instead of a binary one.

    Raises
    ------
    OutputError
        When the file cannot be written.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name to write to")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise output_error(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") if text else os.fdopen(fd, "wb") as handle:
            yield handle
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise output_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename (see :func:`atomic_file`).

    Parameters
    ----------
    path : str or Path
        Target file; its folder is created if needed.
    data : bytes or str
        Content; str is encoded as UTF-8.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OutputError
        When the file cannot be written.
    """
    with atomic_file(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)
