"""Domain services behind the periphery endpoints (documents, seal, payments, mail...)."""
