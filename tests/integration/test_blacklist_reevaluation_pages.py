"""The blacklist re-evaluation page (Q VI(1), way four), on both databases: a listing department previews the
blacklist entries its changed criterion no longer covers, sets the key-attention validity and exits them in
bulk; a refusal (no validity, another department's entry, a rule matching none) changes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.test_case_pages import field_error, page_alert, text_of
from workflows import clock
from workflows.demo import ENTERPRISE_BLACK, PERSON_BLACK
from workflows.store.automation import Announcement, OutboxEvent
from workflows.store.models import ListEntry, Subject

RULE = {"statement": "经营异常名录届满三年的企业不再列入黑名单，改列重点关注。", "category": "market_regulation"}


@pytest.fixture
def english(client, seeded):
    client.post("/lang/en")
    return client


def entries(db_session, code) -> list[tuple]:
    db_session.expire_all()
    return [(e.list_kind, e.status, e.exit_reason, e.valid_until, sorted({m.status for m in e.measures}))
            for e in db_session.scalars(select(ListEntry).join(Subject).where(Subject.code == code)
                                        .order_by(ListEntry.id))]


def black_id(db_session, code=ENTERPRISE_BLACK) -> int:
    return db_session.scalar(select(ListEntry.id).join(Subject).where(Subject.code == code,
                                                                      ListEntry.list_kind == "black"))


def test_blacklist_reevaluation_preview_then_bulk_exit_onto_key_attention(english, auth, db_session):
    auth.login("provider")
    listings = english.get("/listings")
    assert listings.status_code == 200 and "/blacklist/re-evaluation" in listings.text
    preview = english.post("/blacklist/re-evaluation", data={**RULE, "preview": "1"})
    assert preview.status_code == 200
    entry = black_id(db_session)
    assert "1 entries would exit the blacklist" in text_of(preview.text) and f'value="{entry}"' in preview.text
    assert entries(db_session, ENTERPRISE_BLACK)[0][1:3] == ("active", None)  # a preview changes nothing

    missing = english.post("/blacklist/re-evaluation", data={**RULE, "confirm": "1", "entry_ids": [str(entry)]})
    assert missing.status_code == 422 and "key-attention" in field_error(missing.text, "key_attention_until")
    assert f'value="{entry}"' in missing.text  # the preview is shown again to correct it
    assert entries(db_session, ENTERPRISE_BLACK)[0][1:3] == ("active", None)

    until = clock.today() + timedelta(days=180)
    done = english.post("/blacklist/re-evaluation", data={**RULE, "confirm": "1", "entry_ids": [str(entry)],
                                                          "key_attention_until": until.isoformat()})
    assert done.status_code == 302
    black, key = entries(db_session, ENTERPRISE_BLACK)
    assert black == ("black", "exited", "criteria_changed", black[3], ["stopped"])
    assert key == ("key_attention", "active", None, until, ["active"])
    assert db_session.scalar(select(func.count()).select_from(Announcement).where(
        Announcement.list_kind == "black", Announcement.kind == "exit")) == 1
    assert db_session.scalars(select(OutboxEvent.kind).where(OutboxEvent.process == "lists")).all() == [
        "criteria_changed"]


def test_blacklist_reevaluation_refusals_change_nothing(english, auth, db_session):
    auth.login("provider")
    none = english.post("/blacklist/re-evaluation", data={**RULE, "category": "court_enforcement", "preview": "1"})  # FY's
    assert none.status_code == 422 and "matches none" in field_error(none.text, "category")
    person = black_id(db_session, PERSON_BLACK)  # FY's entry cannot be slipped in
    stray = english.post("/blacklist/re-evaluation", data={**RULE, "confirm": "1", "entry_ids": [str(person)],
                                                           "key_attention_until": "2999-01-01"})
    assert stray.status_code == 422 and "do not match the rule" in page_alert(stray.text)
    assert [e[1] for e in entries(db_session, ENTERPRISE_BLACK) + entries(db_session, PERSON_BLACK)] == [
        "active", "active"]
    assert db_session.scalar(select(func.count()).select_from(Announcement)) == 0
    auth.logout()
    auth.login("implementer")
    assert english.get("/blacklist/re-evaluation").status_code == 403
