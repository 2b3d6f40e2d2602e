"""Files written whole: a temporary file beside the target, renamed into place.

An interrupted or failed run never leaves a truncated file.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from glob import escape as glob_escape
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from transcaspian.errors import OutputError, UsageError


def default_mode(base: int = 0o666) -> int:
    """``base`` less the process umask: the mode a plain ``open()`` would give a new file.

    The umask can only be read by setting it; it is set straight back.
    """
    mask = os.umask(0o022)
    os.umask(mask)
    return base & ~mask


def target_mode(path: str | Path) -> int:
    """The mode to give a file written over ``path``: the mode it has now, else :func:`default_mode`.

    A ``chmod 600`` file stays 600 when it is rewritten; a new one honours
    the umask (``mkstemp`` would leave 600 and the old code forced 644).
    """
    try:
        st = os.stat(path)
    except OSError:
        return default_mode()
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else default_mode()


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


#: Age (seconds) after which a temporary of ours beside a target is a leftover of a killed
#: run, not the work of a run still writing: no write of one file takes this long.
STALE_AFTER_S = 3600.0


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove ``.<name>.*.tmp`` files a killed run left beside ``path`` (older than :data:`STALE_AFTER_S`).

    Only names :func:`atomic_file` makes for this very target, and only old
    ones, so a run writing the same file at this moment keeps its own.
    """
    removed = []
    try:
        candidates = list(path.parent.glob(f".{glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    now = time.time()
    for tmp in candidates:
        try:
            info = tmp.lstat()
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_AFTER_S:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed


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
        remove_stale_temporaries(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise output_error(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") if text else os.fdopen(fd, "wb") as handle:
            yield handle
        os.chmod(tmp, target_mode(path))
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


#: Files a Shapefile is made of: writing any of them would destroy the input.
_SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd", ".shp.xml"}


def refuse_overwriting_inputs(output: str | Path | None, inputs: Iterable[str | Path], option: str = "-o") -> None:
    """Raise :class:`UsageError` when writing ``output`` would replace or corrupt an input.

    Refused: the same file (by path or inode, so links and ``./`` spellings
    count), a path inside an input folder (FileGDB, a folder of tiles), and
    a part of an input Shapefile (``roads.shp`` read, ``-o roads.dbf``).
    """
    if output is None:
        return
    out = Path(os.path.realpath(output))
    for given in inputs:
        src = Path(os.path.realpath(given))
        same = out == src
        if not same and out.exists() and src.exists():
            try:
                same = os.path.samefile(out, src)
            except OSError:
                same = False
        inside = src.is_dir() and src in out.parents
        sidecar = (
            src.suffix.lower() in _SHAPEFILE_PARTS
            and out.parent == src.parent
            and out.name.lower().split(".")[0] == src.name.lower().split(".")[0]
            and "".join(out.suffixes).lower() in _SHAPEFILE_PARTS
        )
        if same or inside or sidecar:
            what = "is" if same else "is inside" if inside else "is part of"
            raise UsageError(f"{option} {output}: {what} the input {given}; write the output to another file")
