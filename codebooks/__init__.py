"""The bundled codebooks (package data, read with importlib.resources)."""
