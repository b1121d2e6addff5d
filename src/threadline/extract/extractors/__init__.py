"""One module per extractor. Each defines `EXTRACTOR`, an instance the registry collects.

Adding an extractor is adding a file here: the registry finds it, and the
shared test (`tests/test_extract_examples.py`) runs its examples.
"""
