"""Extraction rules as data (YAML), each file with a note on where its lists come from."""
