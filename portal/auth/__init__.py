"""eID authentication: challenges, certificate checks, sessions, request principals."""
