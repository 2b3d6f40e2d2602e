"""The command group: one-line errors, exit statuses and warnings for every command.

Data goes to stdout, messages to stderr. Errors are one line on stderr and
an exit status: 2 for usage errors, 1 for bad data or a failed check.
"""

from __future__ import annotations

import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from transcaspian.errors import TranscaspianError
from transcaspian.values import terminal_text


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so cleanup runs as for Ctrl-C."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


@contextmanager
def terminate_like_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` for the block (main thread only).

    Python's default for SIGTERM is to die at once, skipping every
    ``finally``: a killed build left staging folders and temporary files.
    As an exception it unwinds like Ctrl-C, and the output code removes
    what it had started.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def fail(error: TranscaspianError) -> None:
    """Print an error as one line per problem on stderr and exit."""
    for line in str(error).splitlines():
        # Messages quote file names and values from the data: no escape codes reach the terminal.
        click.echo(f"transcaspian: error: {terminal_text(line)}", err=True)
    sys.exit(error.exit_code)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn library errors, click's usage errors and Ctrl-C into one line on stderr.

    click would print a usage banner, a hint and a blank line before its own
    message; a user (or a script reading stderr) gets one line naming the
    problem and where to look instead. A bare ``transcaspian`` still prints
    the help.
    """
    try:
        yield
    except TranscaspianError as error:
        fail(error)
    except KeyboardInterrupt:
        # Every output is renamed into place whole, so no file is left half-written.
        click.echo("transcaspian: interrupted", err=True)
        sys.exit(130)
    except Terminated:
        click.echo("transcaspian: terminated", err=True)
        sys.exit(143)
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.ClickException as error:
        message = " ".join(terminal_text(error.format_message()).split())
        ctx = getattr(error, "ctx", None)
        if ctx is not None:
            message = f"{message.rstrip('.')}; see '{ctx.command_path} --help'"
        click.echo(f"transcaspian: error: {message}", err=True)
        sys.exit(error.exit_code)


class Group(click.Group):
    """A click group whose errors are one-line messages and exit statuses."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        # The group's own options are parsed here, before invoke.
        with one_line_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with one_line_errors(), terminate_like_interrupt(), warnings.catch_warnings():
            # catch_warnings restores showwarning afterwards.
            warnings.showwarning = show_warning
            return super().invoke(ctx)


def show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None) -> None:
    """Print a warning as one line on stderr, without Python's source excerpt."""
    text = " ".join(terminal_text(message).split())
    click.echo(f"transcaspian: warning: {text}", err=True)
