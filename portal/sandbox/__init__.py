"""Sandbox authentic sources (data files) and their loader."""
