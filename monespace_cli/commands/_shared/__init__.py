"""What several nouns' commands share, so that no noun imports another noun.

A noun package (``commands/agent/``, ``commands/dossier/``) builds its Typer
app when imported; a verb of one noun that needed a helper of another would
load and build that whole noun. Helpers used by more than one noun live here
instead: the CSAM argument checks (``gap``, ``roles``, ``mandate``, ``agent``),
saving downloaded files (``dossier``, ``agent``, ``document``), reading a
named input file, and the human view of a dossier (``dossier show``,
``agent show``). Modules here import no noun.
"""
