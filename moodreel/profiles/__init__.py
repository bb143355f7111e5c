"""Viewer profiles from watch history: read, match to the catalog, profile, keep pseudonymously."""
