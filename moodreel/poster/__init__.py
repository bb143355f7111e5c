"""Poster cards: one image per pick, made offline (SVG to PNG), or by an images endpoint."""
