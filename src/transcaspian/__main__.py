"""Allow ``python -m transcaspian``."""

from transcaspian.cli import run

run()
