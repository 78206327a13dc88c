"""monespace: terminal client for Wallonia's Mon Espace portal."""
