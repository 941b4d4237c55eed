"""Extraction: write chosen entries of an image's layers into one directory, never outside it."""
