"""The markdown report and the fact-checker's tables."""
