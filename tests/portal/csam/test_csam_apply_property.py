"""Property: a change set with any invalid change, or a dry run, writes nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import BOULANGERIE, JULIEN, LUC, THOMAS, UNKNOWN_NRN

_VALID = st.fixed_dictionaries(
    {
        "op": st.just("grant"),
        "nrn": st.sampled_from([JULIEN, THOMAS]),
        "domain": st.sampled_from(["economy", "employment", "housing"]),
        "level": st.sampled_from(["consult", "act", "manage"]),
    }
)
_INVALID = st.one_of(
    st.fixed_dictionaries({"op": st.sampled_from(["change", "revoke"]), "id": st.just("99999")}),
    st.fixed_dictionaries(
        {
            "op": st.just("grant"),
            "nrn": st.sampled_from([UNKNOWN_NRN, "1", JULIEN]),
            "domain": st.sampled_from(["economy", "moon"]),
            "level": st.sampled_from(["act", "boss"]),
            "valid_until": st.sampled_from(["2001-01-01", "tomorrow"]),
        }
    ),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    valid=st.lists(_VALID, max_size=4),
    invalid=st.lists(_INVALID, min_size=1, max_size=2),
    where=st.integers(min_value=0, max_value=4),
    dry_run=st.booleans(),
)
def test_invalid_sets_and_dry_runs_write_nothing(as_person, valid, invalid, where, dry_run) -> None:
    luc = as_person(LUC)
    path = f"/organisations/{BOULANGERIE}"
    before = (luc.get(f"{path}/roles").json(), luc.get(f"{path}/audit").json())
    changes = valid[:where] + invalid + valid[where:]
    answer = luc.post(f"{path}/roles:apply", {"changes": changes, "dry_run": dry_run})
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"]
    assert len(answer.json()["results"]) == len(changes)
    after = (luc.get(f"{path}/roles").json(), luc.get(f"{path}/audit").json())
    assert after == before
    if len({(c["nrn"], c["domain"]) for c in valid}) == len(valid):
        dry = luc.post(f"{path}/roles:apply", {"changes": valid, "dry_run": True})
        assert dry.status_code == 200, dry.text
        assert dry.json()["applied"] is False
        assert (luc.get(f"{path}/roles").json(), luc.get(f"{path}/audit").json()) == before
