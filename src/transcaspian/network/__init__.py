"""Curated geodata: records, loading, building lines and frames, validation."""
