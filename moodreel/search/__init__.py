"""Mood emotions -> ranked, explained catalog hits."""
