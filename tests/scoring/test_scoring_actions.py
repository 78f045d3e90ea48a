"""The retention-action workflow: a pure transition table, checked by property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manyi.errors import ConflictError, InputError
from manyi.scoring.actions import STATUSES, TRANSITIONS, ActionStatus, transition

EXPECTED = {
    ("open", "in_progress"), ("open", "dismissed"), ("in_progress", "done"),
    ("in_progress", "dismissed"),
}  # fmt: skip


def test_the_table_is_the_documented_workflow() -> None:
    allowed = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert allowed == EXPECTED
    assert set(TRANSITIONS) == set(ActionStatus)


@pytest.mark.parametrize(("source", "target"), sorted(EXPECTED))
def test_allowed_moves(source: str, target: str) -> None:
    assert transition(source, target) == ActionStatus(target)


@pytest.mark.parametrize("target", STATUSES)
@pytest.mark.parametrize("source", ["done", "dismissed"])
def test_final_states_never_change(source: str, target: str) -> None:
    with pytest.raises(ConflictError, match="none \\(final\\)"):
        transition(source, target)


@pytest.mark.parametrize("bad", ["", "closed", "OPEN", "open ", "<script>", "done'; --"])
def test_unknown_status_is_an_input_error(bad: str) -> None:
    with pytest.raises(InputError, match="status: must be one of"):
        transition("open", bad)


@given(st.lists(st.sampled_from((*STATUSES, "closed", "")), max_size=12))
def test_any_sequence_of_requests_follows_the_table(requests: list[str]) -> None:
    """Applying requests one by one (refused ones change nothing) never leaves the workflow."""
    state, visited = "open", ["open"]
    for wanted in requests:
        try:
            state = transition(state, wanted).value
        except (ConflictError, InputError):
            assert wanted not in STATUSES or (state, wanted) not in EXPECTED
            continue
        assert (visited[-1], state) in EXPECTED
        visited.append(state)
    if "done" in visited:
        assert visited[:3] == ["open", "in_progress", "done"]
    assert visited.count("open") == 1 and len(visited) <= 3
    assert all(s not in ("done", "dismissed") for s in visited[:-1])
