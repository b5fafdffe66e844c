"""Illicit cultivation surveys and alternative development (Work Plan activities 18-20)."""
