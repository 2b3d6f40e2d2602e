"""Exceptions raised by transcaspian.

Each error also subclasses the builtin it resembles, so callers that catch
``ValueError`` or ``OSError`` keep working (as in Fiona and rasterio). The CLI
prints ``str(error)`` as one line on stderr.
"""

from __future__ import annotations


class TranscaspianError(Exception):
    """Base class of every error transcaspian raises on purpose."""

    #: Exit status the CLI uses for this error.
    exit_code = 1


class DataError(TranscaspianError, ValueError):
    """Bad input data: a file, a record or a field that must be fixed.

    Parameters
    ----------
    message : str
        What is wrong and what to do about it.
    file : str, optional
        The file the record came from.
    record : str, optional
        The record's id or position, e.g. ``"leg 'btc'"`` or ``"feature 3"``.
    field : str, optional
        The field that is wrong.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.record = record
        self.field = field
        parts = [p for p in (file, record, f"field '{field}'" if field else None) if p]
        super().__init__(": ".join([*parts, message]))


class CoordinateError(DataError):
    """Coordinates that are not what a computation needs (e.g. metres where degrees are due)."""


class UsageError(TranscaspianError, ValueError):
    """The command was called wrongly (exit status 2)."""

    exit_code = 2


class OutputError(TranscaspianError, OSError):
    """An output could not be written."""
