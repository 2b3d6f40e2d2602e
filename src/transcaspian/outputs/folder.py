"""The output folder of a build: staged, locked, swapped into place whole.

A build writes into a hidden staging folder beside the target
(``.<name>.staging-*``) and, once every file is there, swaps it into place
with two renames, so the target is always one whole build or the previous
one, never a mix. Around that:

- a lock (``.<name>.lock`` beside the target, ``flock``) refuses a second
  build into the same folder while one runs;
- a manifest (``.transcaspian-build.json`` inside the folder) lists the
  files a build wrote, so the next build recognises the folder as its own.
  A non-empty folder without one is the user's: refused unless ``force``;
- files of the previous build that this build no longer writes disappear
  with the previous build; any other file in the folder (one the user put
  there) is carried over into the new build untouched, and never listed in
  ``SHA256SUMS``;
- a user's own folder (accepted with ``force``) is never renamed or
  removed: the files the build wrote are moved into it one by one;
- ``SHA256SUMS`` lists exactly the files this build wrote, read from the
  staging folder without following any symbolic link;
- staging and old folders of an earlier build that was killed are removed
  at the next start (only names this module makes).

Everything here is standard library: os.rename, fcntl.flock, os.walk.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from transcaspian.errors import OutputError, UsageError
from transcaspian.files import atomic_write, default_mode, output_error

#: The manifest a build writes into its folder (hidden: not itself an output).
MANIFEST_NAME = ".transcaspian-build.json"
SUMS_NAME = "SHA256SUMS"
TOOL = "transcaspian"


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def written_files(root: str | Path) -> list[str]:
    """Relative paths (``/``-separated, sorted) of the regular files under ``root``.

    Hidden files and folders (temporaries) are skipped; symbolic links are
    neither followed nor listed.
    """
    root = Path(root)
    out = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (base / d).is_symlink())
        for name in names:
            path = base / name
            if name.startswith(".") or not stat.S_ISREG(path.lstat().st_mode):
                continue
            out.append(path.relative_to(root).as_posix())
    return sorted(out)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    # O_NOFOLLOW: a checksum is never taken through a link out of the folder.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256sums_text(root: str | Path, files: list[str]) -> str:
    """``sha256sum``-format lines for ``files`` (relative to ``root``), in the given order."""
    root = Path(root)
    return "".join(f"{_sha256(root / rel)}  {rel}\n" for rel in files)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a folder this tool built, or None when it has none (or not ours)."""
    path = folder / MANIFEST_NAME
    try:
        if path.is_symlink() or not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("tool") != TOOL or not isinstance(data.get("files"), list):
        return None
    return data


def _entries(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError as exc:
        raise output_error(folder, exc) from None


def check_target(target: Path, *, force: bool = False) -> dict[str, Any] | None:
    """Refuse a target that is not a folder this tool may build into.

    Returns the previous build's manifest (None for a new or empty folder,
    or a foreign one accepted with ``force``).

    Raises
    ------
    UsageError
        The path is empty, a file, or a non-empty folder without a manifest
        (and ``force`` is off).
    """
    if str(target) == "":
        raise UsageError("--out is empty; give the folder to write to, e.g. --out outputs")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UsageError(f"--out {target}: is not a folder; choose a folder (new or empty) to build into")
    if not target.exists():
        return None
    manifest = read_manifest(target)
    if manifest is not None:
        return manifest
    if _entries(target) and not force:
        raise UsageError(
            f"--out {target}: folder is not empty and holds no {MANIFEST_NAME} of an earlier build; "
            "choose a new or empty folder, or pass --force to build into it (files with output names are replaced)"
        )
    return None


@contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Hold ``.<name>.lock`` beside ``target`` for the block; refuse if another build holds it."""
    lock = target.parent / f".{target.name}.lock"
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise output_error(lock, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise OutputError(f"--out {target}: another transcaspian build is writing to it (lock {lock}); wait for it to finish") from None
            raise output_error(lock, exc) from None
        # The lock file may have been removed by the build that held it; lock the file that is there.
        try:
            same = os.fstat(fd).st_ino == os.stat(lock, follow_symlinks=False).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        try:
            lock.unlink()
        except OSError:
            pass
        os.close(fd)


def _own_temporary(name: str) -> bool:
    """A temporary this tool makes inside an output folder (``.staging-*``, ``.<file>.*.tmp``)."""
    return name.startswith(".staging-") or (name.startswith(".") and name.endswith(".tmp"))


def remove_stale(target: Path) -> list[Path]:
    """Remove staging and old folders a killed build left beside ``target`` (call under the lock).

    If the target itself is missing and an old folder holds a whole build (a
    build was killed between its two renames), that build is put back first.
    """
    parent = target.parent
    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return []
    olds = [n for n in names if n.startswith(f".{target.name}.old-")]
    for name in reversed(olds):
        kept = parent / name / "build"
        if not target.exists() and read_manifest(kept) is not None:
            os.rename(kept, target)
    removed = []
    for name in names:
        if name.startswith((f".{target.name}.staging-", f".{target.name}.old-")):
            path = parent / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _carry_over(old: Path, new: Path, ours: set[str]) -> None:
    """Move every entry of ``old`` that no build wrote into ``new``, at the same place.

    Folders holding none of our files move whole (never read); folders that
    do are entered. Names this build writes, and our own stale temporaries,
    stay behind and go with the old folder.
    """

    def walk(rel: str) -> None:
        for name in _entries(old / rel if rel else old):
            sub = f"{rel}/{name}" if rel else name
            src, dst = old / sub, new / sub
            if sub in ours or (name == MANIFEST_NAME and not rel) or _own_temporary(name):
                continue
            if src.is_dir() and not src.is_symlink() and any(p.startswith(sub + "/") for p in ours):
                walk(sub)
                continue
            if dst.exists() or dst.is_symlink():
                continue  # this build writes that name
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.rename(src, dst)

    walk("")


@contextmanager
def staged_build(target: str | Path, *, force: bool = False) -> Iterator[Path]:
    """A staging folder to build into; swapped into place as ``target`` when the block succeeds.

    Under the lock: checks the target (:func:`check_target`), removes stale
    temporaries, yields an empty staging folder beside the target, then
    writes ``SHA256SUMS`` and the manifest over what the block wrote,
    carries the user's own files over and swaps. On any error (or Ctrl-C,
    or SIGTERM turned into an exception) the staging folder is removed and
    the target is left as it was.
    """
    target = Path(target)
    if str(target) == "":
        raise UsageError("--out is empty; give the folder to write to, e.g. --out outputs")
    target = Path(os.path.abspath(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(target, exc) from None
    with build_lock(target):
        # First put back a build a killed run left half-swapped, then judge the folder.
        remove_stale(target)
        previous = check_target(target, force=force)
        try:
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.staging-"))
        except OSError as exc:
            raise output_error(target, exc) from None
        old: Path | None = None
        try:
            yield staging
            files = [f for f in written_files(staging) if f != SUMS_NAME]
            (staging / SUMS_NAME).write_text(sha256sums_text(staging, files), encoding="utf-8")
            files.append(SUMS_NAME)
            manifest = {"tool": TOOL, "files": sorted(files)}
            (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            _set_modes(staging, target)
            if target.exists() and previous is None and _entries(target):
                # A user's own folder (--force): never renamed or removed; our files are moved
                # in one by one (each whole), everything else in it stays where it is.
                _install_into(staging, target, [*files, MANIFEST_NAME])
                shutil.rmtree(staging, ignore_errors=True)
            elif target.exists():
                ours = set(previous["files"]) if previous else set()
                _carry_over(target, staging, ours | set(files))
                old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
                os.rename(target, old / "build")
                os.rename(staging, target)
            else:
                os.rename(staging, target)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise output_error(target, exc) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)


def _install_into(staging: Path, target: Path, files: list[str]) -> None:
    """Move ``files`` from ``staging`` into the existing folder ``target``, each with one rename."""
    for rel in files:
        dst = target / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_dir() and not dst.is_symlink():
            raise OutputError(f"{dst}: is a folder where the build writes a file; move it away or choose another --out")
        os.replace(staging / rel, dst)


def _set_modes(staging: Path, target: Path) -> None:
    """Folder modes as the umask asks (mkdtemp makes 0700), or the old target's mode."""
    mode = default_mode(0o777)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        pass
    os.chmod(staging, mode)
    for folder, dirs, _ in os.walk(staging):
        for d in dirs:
            os.chmod(Path(folder) / d, default_mode(0o777))


def record_written(folder: str | Path, paths: list[Path]) -> None:
    """Add files written into ``folder`` outside a build (``transcaspian export``) to its manifest.

    The folder is then recognised as the tool's own: a second export or a
    build may write into it again without ``--force``.
    """
    folder = Path(folder)
    previous = read_manifest(folder)
    files = set(previous["files"]) if previous else set()
    for path in paths:
        try:
            files.add(Path(os.path.abspath(path)).relative_to(os.path.abspath(folder)).as_posix())
        except ValueError:
            continue
    manifest = {"tool": TOOL, "files": sorted(files)}
    atomic_write(folder / MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
