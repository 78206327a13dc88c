"""Screens of the monespace TUI (one module per screen)."""
