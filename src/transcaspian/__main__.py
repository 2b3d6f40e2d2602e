"""Allow ``python -m transcaspian``."""

from transcaspian.cli import main

main(prog_name="transcaspian")
