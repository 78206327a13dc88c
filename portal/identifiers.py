"""Belgian identifiers for the portal: the shared rules of :mod:`be_identifiers`.

The portal, the sandbox data, the seed command and the form validator use
this module; the CLI and the TUI use :mod:`be_identifiers` directly, so a
number the portal accepts is one the client's pre-checks accept too.
"""

from __future__ import annotations

from be_identifiers import (
    FORMAT_CHECKS,
    compact,
    compact_bce,
    format_bce,
    format_checker,
    format_nrn,
    is_valid_bce,
    is_valid_iban,
    is_valid_nrn,
    is_valid_structured_ref,
    is_wallonia_postal_code,
    make_bce,
    make_be_iban,
    make_nrn,
    nrn_birth_date,
    nrn_sex,
    parse_structured_ref,
    structured_ref,
)

__all__ = [
    "FORMAT_CHECKS",
    "compact",
    "compact_bce",
    "format_bce",
    "format_checker",
    "format_nrn",
    "is_valid_bce",
    "is_valid_iban",
    "is_valid_nrn",
    "is_valid_structured_ref",
    "is_wallonia_postal_code",
    "make_bce",
    "make_be_iban",
    "make_nrn",
    "nrn_birth_date",
    "nrn_sex",
    "parse_structured_ref",
    "structured_ref",
]
