"""A user's vector files: opened safely, read in batches, measured, written."""
