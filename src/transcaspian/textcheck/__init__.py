"""Fact-check a text: find length figures, tie them to lines, judge them (``transcaspian check-text``)."""
