"""Reusable widgets of the monespace TUI."""
