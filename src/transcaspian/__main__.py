"""Allow ``python -m transcaspian``."""

from .cli import main

main(prog_name="transcaspian")
