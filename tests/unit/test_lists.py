from datetime import date

import pytest

from workflows.domain import lists
from workflows.domain.errors import ActionNotAllowed, InvalidInput
from workflows.domain.lists import EntryStatus as E
from workflows.domain.lists import MeasureStatus as M

ENTRY_ALLOWED = {
    (E.ACTIVE, "suspend"): E.SUSPENDED,
    (E.SUSPENDED, "resume"): E.ACTIVE,
    (E.ACTIVE, "exit"): E.EXITED,
    (E.SUSPENDED, "exit"): E.EXITED,
    (E.ACTIVE, "purge"): E.PURGED,
    (E.SUSPENDED, "purge"): E.PURGED,
    (E.EXITED, "purge"): E.PURGED,
    (E.EXITED, "restore"): E.ACTIVE,
}
MEASURE_ALLOWED = {
    (M.ACTIVE, "suspend"): M.SUSPENDED,
    (M.SUSPENDED, "resume"): M.ACTIVE,
    (M.ACTIVE, "stop"): M.STOPPED,
    (M.SUSPENDED, "stop"): M.STOPPED,
    (M.STOPPED, "restore"): M.ACTIVE,
}


@pytest.mark.parametrize("status", list(E))
@pytest.mark.parametrize("verb", sorted(lists.ENTRY_VERBS))
def test_every_entry_transition_and_refusal(status, verb):
    expected = ENTRY_ALLOWED.get((status, verb))
    if expected is None:
        with pytest.raises(ActionNotAllowed) as caught:
            lists.next_entry_status(status, verb)
        assert status.value in caught.value.message and verb in caught.value.message
    else:
        assert lists.next_entry_status(status, verb) is expected


@pytest.mark.parametrize("status", list(M))
@pytest.mark.parametrize("verb", sorted(lists.MEASURE_VERBS))
def test_every_measure_transition_and_refusal(status, verb):
    expected = MEASURE_ALLOWED.get((status, verb))
    if expected is None:
        with pytest.raises(ActionNotAllowed):
            lists.next_measure_status(status, verb)
    else:
        assert lists.next_measure_status(status, verb) is expected


def test_purged_is_final():
    for verb in lists.ENTRY_VERBS:
        with pytest.raises(ActionNotAllowed):
            lists.next_entry_status(E.PURGED, verb)


def test_unknown_list_kind_names_the_field():
    with pytest.raises(InvalidInput) as caught:
        lists.parse_list_kind("grey")
    assert caught.value.field == "list" and "grey" in caught.value.message


def test_validity_must_end_after_it_starts():
    with pytest.raises(InvalidInput) as caught:
        lists.Validity(date(2026, 5, 1), date(2026, 4, 30))
    assert caught.value.field == "valid_until"
    assert lists.Validity(date(2026, 5, 1), date(2027, 5, 1)).has_expired(date(2027, 5, 2))


def test_key_attention_is_never_public_and_measures_fit_their_list():
    assert not lists.ListKind.KEY_ATTENTION.is_public
    assert lists.ListKind.RED.is_public and lists.ListKind.BLACK.is_public
    lists.check_measure_fits_list("incentive", lists.ListKind.RED)
    lists.check_measure_fits_list("punishment", lists.ListKind.KEY_ATTENTION)
    with pytest.raises(InvalidInput):
        lists.check_measure_fits_list("incentive", lists.ListKind.BLACK)


def test_a_validity_past_the_last_valid_day_is_a_typing_error_not_a_decision():
    from workflows.domain.lists import LAST_VALID_DAY

    lists.Validity(date(2026, 1, 1), LAST_VALID_DAY)
    with pytest.raises(InvalidInput, match="no listing runs past 2999-12-31") as refused:
        lists.Validity(date(2026, 1, 1), date(9999, 12, 31))  # its day end would not even fit a datetime
    assert refused.value.field == "valid_until"
