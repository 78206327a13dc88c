"""Two legal representatives removing the two last GAPs at once: one must lose."""

from __future__ import annotations

import threading
import time

from portal import csam
from portal.db import make_engine, make_sessionmaker
from portal.models import GapDesignation, Person
from portal.problems import Problem

from .conftest import ARDENNE, JULIEN, KEVIN, NATHALIE


def test_concurrent_removals_never_leave_an_organisation_without_gap(portal_settings) -> None:
    engine = make_engine(portal_settings.database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as db:
        nathalie = db.get(Person, NATHALIE)
        assert nathalie is not None
        csam.designate_gap(db, nathalie, ARDENNE, JULIEN)
        db.commit()
    first_flushed = threading.Event()
    outcome: dict[str, object] = {}

    def remove(nrn: str, hold: float) -> None:
        with sessions() as db:
            person = db.get(Person, NATHALIE)
            assert person is not None
            try:
                csam.remove_gap(db, person, ARDENNE, nrn)
                first_flushed.set()
                time.sleep(hold)  # keep the transaction open while the other one runs
                db.commit()
                outcome[nrn] = "removed"
            except Problem as exc:
                db.rollback()
                outcome[nrn] = exc.status

    first = threading.Thread(target=remove, args=(KEVIN, 0.5))
    first.start()
    assert first_flushed.wait(10)
    second = threading.Thread(target=remove, args=(JULIEN, 0.0))
    second.start()
    first.join(20)
    second.join(20)
    assert outcome == {KEVIN: "removed", JULIEN: 409}
    with sessions() as db:
        left = [g.person_nrn for g in db.query(GapDesignation).filter_by(organisation_bce=ARDENNE)]
    engine.dispose()
    assert left == [JULIEN]
