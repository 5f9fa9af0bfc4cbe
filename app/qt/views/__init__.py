"""Widgets that show what the SessionController holds."""
