"""Mood parsing: free text about how someone feels -> a short list of emotion words."""
