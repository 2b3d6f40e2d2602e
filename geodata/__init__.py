"""The curated geodata, shipped as package data (read with importlib.resources)."""
