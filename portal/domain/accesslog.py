"""Writing the access log ("mes données"): who read whose data, and why.

Every read of a person's or organisation's data from an authentic source on
someone's behalf — a prefill, an agent opening a dossier — goes through
:func:`record_access`, so the data subject can see it in ``GET
/mydata/access-log``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.models import AccessLogEntry, utcnow


def record_access(
    db: Session,
    *,
    subject_kind: str,
    subject_id: str,
    accessor_nrn: str,
    data: str,
    purpose: str,
    accessor_organisation: str | None = None,
    dossier_id: int | None = None,
    accessor_login: str | None = None,
) -> AccessLogEntry:
    """Add one access-log entry (committed with the caller's transaction).

    ``accessor_login`` is how the reader's session was opened (``eid`` or
    ``device``): the data subject sees whether a card vouched for the read.
    """
    entry = AccessLogEntry(
        at=utcnow(),
        subject_kind=subject_kind,
        subject_id=subject_id,
        accessor_nrn=accessor_nrn,
        accessor_organisation=accessor_organisation,
        data=data,
        purpose=purpose,
        dossier_id=dossier_id,
        accessor_login=accessor_login,
    )
    db.add(entry)
    return entry
