"""The command group: one-line errors, exit statuses and warnings for every command.

Data goes to stdout, messages to stderr. Errors are one line on stderr and
an exit status: 2 for usage errors, 1 for bad data or a failed check.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from transcaspian.errors import TranscaspianError


def fail(error: TranscaspianError) -> None:
    """Print an error as one line per problem on stderr and exit."""
    for line in str(error).splitlines():
        click.echo(f"transcaspian: error: {line}", err=True)
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
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.ClickException as error:
        message = " ".join(error.format_message().split())
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
        with one_line_errors(), warnings.catch_warnings():
            # catch_warnings restores showwarning afterwards.
            warnings.showwarning = show_warning
            return super().invoke(ctx)


def show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None) -> None:
    """Print a warning as one line on stderr, without Python's source excerpt."""
    text = " ".join(str(message).split())
    click.echo(f"transcaspian: warning: {text}", err=True)
