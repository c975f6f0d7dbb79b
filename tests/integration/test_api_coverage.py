"""Every page's work through the API (docs/adr/0008): each page endpoint is mapped to the `/api/v1`
endpoint(s) that do the same work and give the same data, or named with the reason it has none.

A page added without its API, or a mapping to an API endpoint that does not exist, fails here.
"""
from __future__ import annotations

import pytest

from workflows.processes import DEFINITIONS

# page endpoint -> the API endpoints that do its work (flask-smorest names: blueprint.function)
PAGE_TO_API: dict[str, tuple[str, ...]] = {
    # accounts
    "auth.login": ("api_auth.token",),
    "auth.signup": ("api_accounts.sign_up",),
    "auth.change_password": ("api_accounts.change_password",),
    "auth.contact": ("api_accounts.me", "api_accounts.contact"),
    "main.home": ("api_accounts.me", "api_cases.index", "api_admin.claims"),
    # cases of the four processes
    "cases.index": ("api_cases.index",),
    "cases.inbox": ("api_cases.index",),  # ?inbox=true
    "cases.show": ("api_cases.show",),
    "cases.act": ("api_cases.act",),
    "cases.new_objection": ("api_cases.create",),
    "cases.evidence_file": ("cases.evidence_file",),  # the same address answers a bearer token
    "cases.notifications": ("api_reference.notifications",),
    "cases.mark_read": ("api_reference.mark_read",),
    "subjects.show": ("api_subjects.get_subject", "api_credit_status.who_looked"),
    "repair.new_repair": ("api_cases.create", "api_cases.upload", "api_cases.act"),  # draft, proof, submit
    "repair.escalate": ("api_lists.escalate",),
    "removal.report_abuse": ("api_cases.create",),  # process redlist_removal, evidence in base64
    "removal.reevaluate": ("api_lists.reevaluation_preview", "api_lists.reevaluate"),
    "blacklist.reevaluate": ("api_lists.blacklist_reevaluation_preview", "api_lists.blacklist_reevaluate"),
    # green channel
    "green.index": ("api_lists.matters", "api_credit_status.credit_status"),
    "green.apply": ("api_lists.matter", "api_cases.create"),
    "green.notice": ("api_lists.notice",),
    "green.submit_material": ("api_lists.submit_material",),
    "green.verify_material": ("api_cases.act",),
    "green.public_licences": ("api_lists.public_licences",),
    # listings in, notices out
    "listings.index": ("api_list_entries.list_entries",),
    "listings.new": ("api_list_entries.create_entry",),
    "listings.bulk": ("api_list_entries.import_entries",),
    "listings.hooks": ("api_webhooks.endpoints", "api_webhooks.register_endpoint", "api_webhooks.deliveries"),
    "listings.redeliver": ("api_webhooks.redeliver",),
    "deliveries.index": ("api_deliveries.deliveries",),
    "instructions.index": ("api_instructions.index",),
    "instructions.show": ("api_instructions.show",),
    "instructions.confirm": ("api_instructions.confirm",),
    "instructions.urge": ("api_instructions.urge",),
    "deliveries.redeliver": ("api_deliveries.redeliver",),
    "public.announcements": ("api_announcements.api_index",),
    "public.feed": ("api_announcements.api_index",),
    "public_lists.search": ("api_public.public_entries",),
    # supervision
    "supervision.dashboard": ("api_supervision.dashboard",),
    "supervision.urge": ("api_supervision.urge",),
    "supervision.urgings": ("api_supervision.urgings",),
    "supervision.reply": ("api_supervision.reply",),
    "supervision.department": ("api_supervision.department",),
    "supervision.head": ("api_admin.head", "api_admin.change_head"),
    "reports.index": ("api_supervision.reports", "api_supervision.generate"),
    "reports.month": ("api_supervision.month",),
    "reports.month_csv": ("api_supervision.month_csv",),
    "reports.month_xlsx": ("api_supervision.month_xlsx",),
    "reports.period": ("api_supervision.period",),
    # administration
    "admin.users": ("api_admin.list_users",),
    "admin.new_user": ("api_admin.create_user",),
    "admin.set_user_active": ("api_admin.set_user_active",),
    "admin.reset_password": ("api_admin.reset_password",),
    "admin.claims": ("api_admin.claims",),
    "admin.confirm_claim": ("api_admin.confirm_claim",),
    "admin.reject_claim": ("api_admin.reject_claim",),
    "admin.departments": ("api_reference.departments",),
    "admin.new_department": ("api_admin.create_department",),
    "admin.edit_department": ("api_admin.show_department", "api_admin.update_department"),
    "admin.measures": ("api_reference.measures",),
    "admin.new_measure": ("api_admin.create_measure",),
    "admin.edit_measure": ("api_admin.show_measure", "api_admin.update_measure"),
    "admin.settings": ("api_reference.time_limits",),
    "admin.change_setting": ("api_admin.change_setting",),
    "admin.calendar": ("api_reference.calendar_years",),
    "admin.import_calendar": ("api_admin.import_calendar",),
    "admin.export_calendar": ("api_admin.export_calendar",),
    "licence_admin.index": ("api_admin.list_matters",),
    "licence_admin.new": ("api_admin.create_matter",),
    "licence_admin.edit": ("api_admin.show_matter", "api_admin.update_matter"),
    "licence_admin.add_material": ("api_admin.add_material",),
    "licence_admin.edit_material": ("api_admin.update_material",),
}

# pages with no API of their own, and why
NO_API: dict[str, str] = {
    "static": "style sheets, scripts and images of the pages",
    "main.set_language": "the pages' language; the API answers in English",
    "auth.logout": "ends the user's browser sessions and tokens; a token also expires (12 hours)",
    "ops.health": "the health check is JSON already, for load balancers",
    "ops.ready": "the readiness check is JSON already, for load balancers",
    "ops.prometheus": "the metrics are Prometheus text already, for the monitoring system",
    "admin.index": "a menu of the administration pages",
}


@pytest.fixture(scope="module")
def endpoints():
    from webapp import create_app

    app = create_app({"TESTING": True})
    rules = list(app.url_map.iter_rules())
    return ({r.endpoint for r in rules if not r.rule.startswith("/api/")},
            {r.endpoint: r.rule for r in rules})


def test_every_page_has_its_api_or_a_reason(endpoints):
    pages, _rules = endpoints
    unmapped = sorted(pages - set(PAGE_TO_API) - set(NO_API))
    assert not unmapped, f"pages without an API counterpart in PAGE_TO_API (or a reason in NO_API): {unmapped}"
    stale = sorted((set(PAGE_TO_API) | set(NO_API)) - pages)
    assert not stale, f"no longer pages: {stale}"


def test_every_mapped_api_endpoint_exists_under_api_v1(endpoints):
    _pages, rules = endpoints
    missing = sorted({api for apis in PAGE_TO_API.values() for api in apis if api not in rules})
    assert not missing, f"mapped API endpoints that do not exist: {missing}"
    by_token = {"cases.evidence_file"}  # a page address that takes a bearer token as well
    outside = sorted({api for apis in PAGE_TO_API.values() for api in apis
                      if api not in by_token and not rules[api].startswith("/api/v1/")})
    assert not outside, outside


def test_every_process_is_filed_and_every_action_taken_through_the_api():
    from webapp.api.cases import ACTIONS_DOC, CaseIn

    assert set(CaseIn().fields["process"].validate.choices) == set(DEFINITIONS)
    for name, definition in DEFINITIONS.items():
        line = next(line for line in ACTIONS_DOC.splitlines() if line.startswith(f"- **{name}**"))
        for action in definition.actions:
            assert (f"`{action.name}`" in line) is (not action.automatic), (name, action.name)
