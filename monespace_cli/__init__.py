"""monespace: terminal client for Wallonia's Mon Espace portal."""

#: The version (pyproject.toml reads it from here): ``--version`` and the
#: User-Agent take it without importlib.metadata, which costs start-up time.
__version__ = "0.1.0"
