"""Who may do what: every page and API endpoint, by demo user (one per role, department or subject).

This table is the product's access policy written as data. `test_access_table.py` walks all of it
with each demo user and anonymously, and fails when the application has an endpoint the table does
not list; `python -m tests.integration.access_table` writes the readable copy in docs/security.md.

Outcomes:
- allowed: 2xx or 3xx; for a POST sent without its fields, a 400/409/422 that names them (the
  request got past the access check and changed nothing);
- refused: 403 for a role that may not use the endpoint;
- hidden: 404 for an object that exists but belongs to another subject or department (a guessed
  id): its existence is not given away;
- anonymous: sent to the log-in page (302) for pages, 401 for the API.
Placeholders in paths ({case_a}, ...) are filled by the test from the world it builds: case A is
the objection of `applicant` (listed by SCJGJ), case B that of `person` (listed by FY).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from workflows import clock

ADMIN, OFFICE, SUPERVISOR = "admin", "office", "supervisor"
PROVIDERS = ("provider", "tax", "court")  # information provider + listing department: SCJGJ, SWJ, FY
IMPLEMENTERS = ("implementer", "bank", "licensing", "reform", "housing")  # CZJ, RMYH, SCJGJ, FGW, ZJJ
APPLICANTS = ("applicant", "redco", "person")
USERS = (ADMIN, OFFICE, SUPERVISOR, *PROVIDERS, *IMPLEMENTERS, *APPLICANTS)
ROLES = (*USERS, "anonymous")

EVERYONE = frozenset(USERS)
PUBLIC = frozenset(ROLES)
NOBODY = frozenset()
STAFF = EVERYONE - set(APPLICANTS)
DEPARTMENTS = frozenset(PROVIDERS + IMPLEMENTERS)
SUPERVISORS = frozenset({SUPERVISOR, ADMIN})
OFFICE_OR_ADMIN = frozenset({OFFICE, ADMIN})
ONLY_ADMIN = frozenset({ADMIN})
KEY_ATTENTION_VIEWERS = STAFF
LISTERS = frozenset(PROVIDERS)  # the listing departments
IMPLEMENTING = frozenset(IMPLEMENTERS)
# who sees a case: the credit office, supervision, the administrator, the department concerned, its applicant
VIEWERS_A = frozenset({ADMIN, OFFICE, SUPERVISOR, "provider", "licensing", "applicant"})  # SCJGJ's entry
VIEWERS_B = frozenset({ADMIN, OFFICE, SUPERVISOR, "court", "person"})  # FY's entry


@dataclass(frozen=True)
class Access:
    endpoint: str
    method: str
    path: str
    allowed: frozenset[str]
    what: str
    hidden: frozenset[str] = frozenset()  # users not allowed who get 404 (guessed ids); the others get 403
    api: bool = False  # bearer token instead of a session
    data: dict = field(default_factory=dict)
    # a few endpoints answer "allowed" with their own codes (a wrong password is 401, for everyone)
    ok: tuple[int, ...] = ()


def page(endpoint, method, path, allowed, what, *, viewers=None, **kw) -> Access:
    """`viewers`: who may see the object at all; everyone else gets 404 as for an id that does not exist."""
    hidden = frozenset() if viewers is None else EVERYONE - frozenset(viewers)
    return Access(endpoint, method, path, frozenset(allowed), what, hidden=hidden, **kw)


def api(endpoint, method, path, allowed, what, **kw) -> Access:
    return page(endpoint, method, path, allowed, what, api=True, **kw)


TABLE: tuple[Access, ...] = (
    # --- public ---
    page("main.home", "GET", "/", EVERYONE, "home page (anonymous: to the log-in page)"),
    page("ops.health", "GET", "/healthz", PUBLIC, "health check: the process answers (not forwarded by the proxy)"),
    page("ops.ready", "GET", "/readyz", PUBLIC, "readiness: database and schema (not forwarded by the proxy)"),
    page("ops.prometheus", "GET", "/metrics", PUBLIC, "Prometheus metrics (not forwarded by the proxy)"),
    page("main.set_language", "POST", "/lang/en", PUBLIC, "choose the language"),
    page("static", "GET", "/static/app.css", PUBLIC, "style sheet and scripts"),
    page("auth.login", "GET", "/login", PUBLIC, "log-in page"),
    page("auth.login", "POST", "/login", PUBLIC, "log in (a wrong password: 401)",
         data={"username": "nobody", "password": "wrong"}, ok=(401,)),
    page("auth.signup", "GET", "/signup", PUBLIC, "sign-up page"),
    page("auth.signup", "POST", "/signup", PUBLIC, "sign up (empty form: 422)"),
    page("auth.logout", "POST", "/logout", PUBLIC, "log out (back to the log-in page)", ok=(302,)),
    page("auth.change_password", "GET", "/account/password", EVERYONE, "change my password"),
    page("auth.change_password", "POST", "/account/password", EVERYONE, "change my password (empty: 422)"),
    page("auth.contact", "GET", "/account/contact", EVERYONE, "my mobile number and SMS choice"),
    page("auth.contact", "POST", "/account/contact", EVERYONE, "change my mobile number (not a mobile: 422)",
         data={"phone": "not-a-mobile"}),
    # --- cases ---
    page("cases.index", "GET", "/cases", EVERYONE, "my cases (each sees the cases visible to it)"),
    page("cases.inbox", "GET", "/inbox", STAFF, "inbox by due date"),
    page("cases.new_objection", "GET", "/cases/new/objection", APPLICANTS, "objection form"),
    page("cases.new_objection", "POST", "/cases/new/objection", APPLICANTS, "file an objection (empty: 422)"),
    page("verification.new_complaint", "GET", "/complaints/new", EVERYONE,
         "complaint form: a record of the public lists (anyone logged in)"),
    page("verification.new_complaint", "POST", "/complaints/new", EVERYONE, "file a complaint (empty: 422)"),
    page("verification.new_finding", "GET", "/findings/new/{entry_a}", DEPARTMENTS, "a department's finding form"),
    page("verification.new_finding", "POST", "/findings/new/{entry_a}", DEPARTMENTS,
         "report a department's finding (empty: 422; the record must be the department's: 404)"),
    page("cases.show", "GET", "/cases/{case_a}", VIEWERS_A, "case A", viewers=VIEWERS_A),
    page("cases.show", "GET", "/cases/{case_b}", VIEWERS_B, "case B (guessed by applicant, redco)", viewers=VIEWERS_B),
    page("cases.act", "POST", "/cases/{case_a}/actions/refuse", {OFFICE}, "refuse case A (no reason: 422)",
         viewers=VIEWERS_A),
    page("cases.act", "POST", "/cases/{case_b}/actions/withdraw", {"person"},
         "withdraw case B (no version: 422; another applicant: 404)", viewers=VIEWERS_B),
    page("cases.evidence_file", "GET", "/cases/{case_a}/files/{file_a}", VIEWERS_A, "evidence of case A",
         viewers=VIEWERS_A),
    page("documents.case_document", "GET", "/cases/{case_a}/documents/{doc_a}.pdf", VIEWERS_A,
         "a written decision of case A (PDF)", viewers=VIEWERS_A),
    page("documents.case_document", "GET", "/cases/{case_b}/documents/{doc_a}.pdf", NOBODY,
         "a written decision named under another case", viewers=NOBODY),
    page("documents.entry_document", "GET", "/list-entries/{entry_a}/documents/{listing_doc_a}.pdf",
         STAFF | {"applicant"}, "the notice of a dishonesty record of entry A (PDF; another subject's: 404)",
         viewers=STAFF | {"applicant"}),
    page("cases.evidence_file", "GET", "/cases/{case_b}/files/{file_b}", VIEWERS_B,
         "evidence of case B (guessed ids)", viewers=VIEWERS_B),
    page("cases.evidence_file", "GET", "/cases/{case_a}/files/{file_b}", NOBODY,
         "evidence of case B through case A", viewers=NOBODY),
    page("cases.notifications", "GET", "/notifications", EVERYONE, "my notifications (only mine)"),
    page("cases.mark_read", "POST", "/notifications/read", EVERYONE,
         "mark read (another user's id changes nothing)", data={"notification_id": "{note_b}"}),
    # --- subjects ---
    page("subjects.show", "GET", "/subjects/{code_black}", EVERYONE, "a blacklisted enterprise (public list)"),
    page("subjects.show", "GET", "/subjects/{code_key}", EVERYONE,
         "a key-attention subject: the page opens, the list shows only to staff"),
    # --- administration ---
    page("admin.index", "GET", "/admin/", ONLY_ADMIN, "administration"),
    page("admin.users", "GET", "/admin/users", ONLY_ADMIN, "users"),
    page("admin.new_user", "GET", "/admin/users/new", ONLY_ADMIN, "new user form"),
    page("admin.new_user", "POST", "/admin/users/new", ONLY_ADMIN, "create a user (empty: 422)"),
    page("admin.set_user_active", "POST", "/admin/users/{office_id}/active", ONLY_ADMIN,
         "disable a user (no value: 422)"),
    page("admin.reset_password", "GET", "/admin/users/{office_id}/password", ONLY_ADMIN, "a user's new password"),
    page("admin.reset_password", "POST", "/admin/users/{office_id}/password", ONLY_ADMIN,
         "set a user's password (empty: 422)"),
    page("admin.claims", "GET", "/admin/claims", OFFICE_OR_ADMIN, "applicants' claims"),
    page("admin.confirm_claim", "POST", "/admin/claims/{person_id}/confirm", OFFICE_OR_ADMIN,
         "confirm a claim (already confirmed: told so)"),
    page("admin.reject_claim", "POST", "/admin/claims/{person_id}/reject", OFFICE_OR_ADMIN,
         "reject a claim (no reason: 422)"),
    page("admin.departments", "GET", "/admin/departments", ONLY_ADMIN, "departments"),
    page("admin.new_department", "GET", "/admin/departments/new", ONLY_ADMIN, "new department form"),
    page("admin.new_department", "POST", "/admin/departments/new", ONLY_ADMIN, "create a department (empty: 422)"),
    page("admin.edit_department", "GET", "/admin/departments/{department_id}", ONLY_ADMIN, "a department"),
    page("admin.edit_department", "POST", "/admin/departments/{department_id}", ONLY_ADMIN,
         "change a department (empty: 422)"),
    page("admin.measures", "GET", "/admin/measures", ONLY_ADMIN, "measure catalogue"),
    page("admin.new_measure", "GET", "/admin/measures/new", ONLY_ADMIN, "new measure form"),
    page("admin.new_measure", "POST", "/admin/measures/new", ONLY_ADMIN, "create a measure (empty: 422)"),
    page("admin.edit_measure", "GET", "/admin/measures/{measure_id}", ONLY_ADMIN, "a measure"),
    page("admin.edit_measure", "POST", "/admin/measures/{measure_id}", ONLY_ADMIN, "change a measure (empty: 422)"),
    page("admin.settings", "GET", "/admin/settings", ONLY_ADMIN, "settings"),
    page("admin.change_setting", "POST", "/admin/settings/objection.acceptance_days", ONLY_ADMIN,
         "change a setting (empty: 422)"),
    page("admin.numbering_patterns", "GET", "/admin/numbering", ONLY_ADMIN, "document numbering patterns"),
    page("admin.change_numbering", "POST", "/admin/numbering/CZJ", ONLY_ADMIN,
         "change a department's numbering pattern (empty: 422)"),
    page("admin.calendar", "GET", "/admin/calendar", ONLY_ADMIN, "holiday calendar"),
    page("admin.import_calendar", "POST", "/admin/calendar", ONLY_ADMIN, "import a year (no file: 422)"),
    page("admin.export_calendar", "GET", "/admin/calendar/{year}.json", ONLY_ADMIN, "export a year"),
    # --- supervision ---
    page("supervision.dashboard", "GET", "/supervision/", SUPERVISORS, "supervision dashboard"),
    page("supervision.urge", "POST", "/supervision/urge", {SUPERVISOR}, "urge departments (no case: 422)"),
    page("supervision.urgings", "GET", "/supervision/urgings", SUPERVISORS, "urgings"),
    page("supervision.reply", "POST", "/supervision/urgings/{urging_a}/reply", {"provider", "licensing"},
         "reply to an urging of SCJGJ (other departments: 403)", data={"u{urging_a}-reply": "answered"}),
    page("supervision.department", "GET", "/supervision/department", DEPARTMENTS | {OFFICE},
         "a department's own figures (the accepting office's: the credit office's)"),
    page("supervision.head", "GET", "/supervision/head", ONLY_ADMIN, "head of supervision"),
    page("supervision.head", "POST", "/supervision/head", ONLY_ADMIN, "choose the head (empty: 422)"),
    page("reports.index", "GET", "/supervision/reports", SUPERVISORS, "monthly reports"),
    page("reports.index", "POST", "/supervision/reports", SUPERVISORS, "generate a report (empty: 422)"),
    page("reports.period", "GET", "/supervision/reports/period", SUPERVISORS, "figures of a period"),
    page("reports.month", "GET", "/supervision/reports/{month}", SUPERVISORS, "a month's report"),
    page("reports.month_csv", "GET", "/supervision/reports/{month}.csv", SUPERVISORS, "as CSV"),
    page("reports.month_xlsx", "GET", "/supervision/reports/{month}.xlsx", SUPERVISORS, "as XLSX"),
    # --- licence matters (the green channel's catalogue) ---
    page("licence_admin.index", "GET", "/admin/licence-matters", ONLY_ADMIN, "licence matters"),
    page("licence_admin.new", "GET", "/admin/licence-matters/new", ONLY_ADMIN, "new matter form"),
    page("licence_admin.new", "POST", "/admin/licence-matters/new", ONLY_ADMIN, "create a matter (empty: 422)"),
    page("licence_admin.edit", "GET", "/admin/licence-matters/{matter_id}", ONLY_ADMIN, "a matter"),
    page("licence_admin.edit", "POST", "/admin/licence-matters/{matter_id}", ONLY_ADMIN, "change a matter (empty: 422)"),
    page("licence_admin.add_material", "POST", "/admin/licence-matters/{matter_id}/materials", ONLY_ADMIN,
         "add a material (empty: 422)"),
    page("licence_admin.edit_material", "GET", "/admin/licence-matters/{matter_id}/materials/{material_id}",
         ONLY_ADMIN, "a material"),
    page("licence_admin.edit_material", "POST", "/admin/licence-matters/{matter_id}/materials/{material_id}",
         ONLY_ADMIN, "change a material (empty: 422)"),
    # --- green channel (conditional acceptance) ---
    page("green.index", "GET", "/green", APPLICANTS, "green channel"),
    page("green.apply", "GET", "/green/apply/{matter_code}", APPLICANTS, "apply (an ineligible subject is told why)"),
    page("green.apply", "POST", "/green/apply/{matter_code}", {"redco"},
         "apply (empty: 422; a blacklisted subject: 403)"),
    page("green.notice", "GET", "/green/cases/{case_a}/notice", NOBODY, "notice of a case that is no green case",
         viewers=NOBODY),
    page("green.submit_material", "POST", "/green/cases/{case_a}/materials/1/submit", NOBODY,
         "submit a material to a case that is no green case", viewers=NOBODY),
    page("green.verify_material", "POST", "/green/cases/{case_a}/materials/1/verify", NOBODY,
         "verify a material of a case that is no green case", viewers=NOBODY),
    page("green.public_licences", "GET", "/public/licences", PUBLIC, "licences granted (public)"),
    # --- credit repair, escalation, red-list removal ---
    page("repair.new_repair", "GET", "/cases/new/repair_exit", APPLICANTS, "credit repair form"),
    page("repair.new_repair", "POST", "/cases/new/repair_exit", APPLICANTS, "file a repair (empty: 422)"),
    page("repair.escalate", "GET", "/lists/{key_entry}/escalate", {"provider"},
         "escalate SCJGJ's key-attention entry (only its own listing department)"),
    page("repair.escalate", "POST", "/lists/{key_entry}/escalate", {"provider"}, "escalate (empty: 422)"),
    page("removal.report_abuse", "GET", "/red-list/abuse-report", DEPARTMENTS, "report abuse of red-list incentives"),
    page("removal.report_abuse", "POST", "/red-list/abuse-report", DEPARTMENTS, "report abuse (empty: 422)"),
    page("removal.reevaluate", "GET", "/red-list/re-evaluation", LISTERS, "re-evaluate red-list entries"),
    page("removal.reevaluate", "POST", "/red-list/re-evaluation", LISTERS, "re-evaluate (empty: 422)"),
    page("blacklist.reevaluate", "GET", "/blacklist/re-evaluation", LISTERS, "re-evaluate blacklist entries"),
    page("blacklist.reevaluate", "POST", "/blacklist/re-evaluation", LISTERS, "re-evaluate (empty: 422)"),

    # --- execution feedback: instructions on measures ---
    page("instructions.index", "GET", "/instructions/", IMPLEMENTING | SUPERVISORS, "instructions on measures"),
    page("instructions.show", "GET", "/instructions/999999", NOBODY, "an instruction (none: 404)",
         viewers=EVERYONE - IMPLEMENTING - SUPERVISORS),
    page("instructions.confirm", "POST", "/instructions/999999/confirm", NOBODY,
         "confirm an instruction (none: 404)", viewers=EVERYONE - IMPLEMENTING),
    page("instructions.urge", "POST", "/instructions/urge", {SUPERVISOR}, "urge a department's instructions"),
    api("api_instructions.index", "GET", "/api/v1/instructions", IMPLEMENTING | SUPERVISORS,
        "instructions on measures"),
    api("api_instructions.show", "GET", "/api/v1/instructions/999999", NOBODY, "an instruction (none: 404)",
        viewers=EVERYONE - IMPLEMENTING - SUPERVISORS),
    api("api_instructions.confirm", "POST", "/api/v1/instructions/999999/confirm", NOBODY,
        "confirm an instruction (none: 404)", viewers=EVERYONE - IMPLEMENTING, data={"carried_out_on": "2026-01-05"}),
    api("api_instructions.urge", "POST", "/api/v1/instructions/urge", {SUPERVISOR},
        "urge a department's instructions (too short a message: 422)", data={"department": "CZJ", "message": "x"}),
    # --- listings and webhooks (departments) ---
    page("listings.index", "GET", "/listings", LISTERS | ONLY_ADMIN, "listings"),
    page("listings.new", "GET", "/listings/new", LISTERS | ONLY_ADMIN, "new listing form"),
    page("listings.new", "POST", "/listings/new", LISTERS | ONLY_ADMIN, "record a listing (empty: 422)"),
    page("listings.bulk", "GET", "/listings/import", LISTERS | ONLY_ADMIN, "bulk import form"),
    page("listings.bulk", "POST", "/listings/import", LISTERS | ONLY_ADMIN, "bulk import (no file: 422)"),
    page("listings.hooks", "GET", "/webhooks", IMPLEMENTING, "a department's webhooks"),
    page("listings.hooks", "POST", "/webhooks", IMPLEMENTING, "register a webhook (empty: 422)"),
    page("listings.redeliver", "POST", "/webhooks/deliveries/999999/redeliver", IMPLEMENTING,
         "redeliver (no such delivery: 404)", ok=(404,)),
    # --- what is owed outside (administrators, supervision) ---
    page("deliveries.index", "GET", "/deliveries", SUPERVISORS, "deliveries and their attempts"),
    page("deliveries.redeliver", "POST", "/deliveries/platform/999999/redeliver", SUPERVISORS,
         "queue a redelivery (no such delivery: 404)", ok=(404,)),
    # --- public pages ---
    page("public.announcements", "GET", "/public/announcements", PUBLIC, "announcements (public)"),
    page("public.feed", "GET", "/public/announcements.atom", PUBLIC, "their Atom feed (public)"),
    page("public_lists.search", "GET", "/public/lists", PUBLIC, "red list and blacklist search (public)"),
    # --- JSON API (bearer token) ---
    api("api-docs.openapi_json", "GET", "/api/v1/openapi.json", PUBLIC, "OpenAPI document"),
    api("api_auth.token", "POST", "/api/v1/auth/token", PUBLIC, "a token (a wrong password: 401)",
        data={"username": "nobody", "password": "wrong"}, ok=(401,)),
    api("api_subjects.get_subject", "GET", "/api/v1/subjects/{code_black}", EVERYONE, "a blacklisted enterprise"),
    api("api_subjects.get_subject", "GET", "/api/v1/subjects/{code_key}", EVERYONE,
        "a key-attention subject (its entry only for staff)"),
    api("api_cases.index", "GET", "/api/v1/cases", EVERYONE, "cases visible to the caller"),
    api("api_cases.create", "POST", "/api/v1/cases", EVERYONE,
        "file a case (no fields: 422; each process's filing rule says who: an objection by the subject, a "
        "complaint by anyone, a department's finding by its staff)",
        data={"process": "objection"}),
    api("api_cases.show", "GET", "/api/v1/cases/{case_a}", VIEWERS_A, "case A", viewers=VIEWERS_A),
    api("api_cases.show", "GET", "/api/v1/cases/{case_b}", VIEWERS_B, "case B (guessed id)", viewers=VIEWERS_B),
    api("api_cases.act", "POST", "/api/v1/cases/{case_a}/actions/refuse", {OFFICE}, "refuse case A (no reason: 422)",
        viewers=VIEWERS_A),
    api("api_cases.upload", "POST", "/api/v1/cases/{case_b}/evidence", {OFFICE, "person"},
        "add evidence to case B, filed and waiting for the office (no file: 422; those who only see it: 403)",
        viewers=VIEWERS_B),
    api("cases.evidence_file", "GET", "/cases/{case_b}/files/{file_b}", VIEWERS_B, "evidence of case B by token",
        viewers=VIEWERS_B),
    api("documents.case_document", "GET", "/cases/{case_a}/documents/{doc_a}.pdf", VIEWERS_A,
        "a written decision of case A by token", viewers=VIEWERS_A),
    api("api_documents.entry_documents", "GET", "/api/v1/list-entries/{entry_a}/documents", STAFF | {"applicant"},
        "the written decisions of entry A (another subject's: 404)", viewers=STAFF | {"applicant"}),
    api("api_announcements.api_index", "GET", "/api/v1/announcements", PUBLIC, "announcements (public)"),
    api("api_public.public_entries", "GET", "/api/v1/public/list-entries", PUBLIC, "public list entries (public)"),
    api("api_reference.departments", "GET", "/api/v1/departments", EVERYONE, "departments"),
    api("api_reference.measures", "GET", "/api/v1/measures", EVERYONE, "measure catalogue"),
    api("api_reference.working_days", "GET", "/api/v1/calendar/working-days?start={today}&days=5", EVERYONE,
        "working-day arithmetic"),
    api("api_reference.calendar_years", "GET", "/api/v1/calendar/years", EVERYONE, "calendar years"),
    api("api_reference.time_limits", "GET", "/api/v1/settings", EVERYONE, "time limits"),
    api("api_reference.notifications", "GET", "/api/v1/notifications", EVERYONE, "my notifications (only mine)"),
    api("api_reference.mark_read", "POST", "/api/v1/notifications/{note_b}/read", {"person"},
        "mark one read (another user's: 404)", viewers={"person"}),
    api("api_list_entries.create_entry", "POST", "/api/v1/list-entries", LISTERS | ONLY_ADMIN,
        "record a listing (a malformed code: 422)", data={"subject_code": "x", "subject_name": "x", "list": "black",
                                                          "basis": "x", "listed_on": "2026-01-01",
                                                          "valid_until": "2026-01-02"}),
    api("api_list_entries.import_entries", "POST", "/api/v1/list-entries/import", LISTERS | ONLY_ADMIN,
        "bulk import (no file: 422)"),
    api("api_list_entries.list_entries", "GET", "/api/v1/list-entries", STAFF, "list entries"),
    api("api_list_entries.show_entry", "GET", "/api/v1/list-entries/{entry_a}", STAFF | {"applicant"},
        "a list entry (another subject's: 404)", viewers=STAFF | {"applicant"}),
    api("api_credit_status.credit_status", "GET", "/api/v1/subjects/{code_black}/credit-status?purpose=tender",
        EVERYONE,
        "credit status (应查必查)"),
    api("api_credit_status.who_looked", "GET", "/api/v1/subjects/{code_black}/credit-queries", STAFF | {"applicant"},
        "who looked at a subject's credit status (the subject itself; other applicants: 404)",
        viewers=STAFF | {"applicant"}),
    api("api_webhooks.register_endpoint", "POST", "/api/v1/webhooks", IMPLEMENTING,
        "register a webhook (not HTTPS: 422)", data={"url": "http://example.gov.cn/hook"}),
    api("api_webhooks.endpoints", "GET", "/api/v1/webhooks", IMPLEMENTING, "a department's webhooks"),
    api("api_webhooks.deactivate", "DELETE", "/api/v1/webhooks/999999", NOBODY,
        "deactivate an endpoint that does not exist: 404 for everyone", viewers=NOBODY),
    api("api_webhooks.deliveries", "GET", "/api/v1/webhooks/deliveries", IMPLEMENTING, "deliveries"),
    api("api_webhooks.redeliver", "POST", "/api/v1/webhooks/deliveries/999999/redeliver", NOBODY,
        "redeliver a delivery that does not exist: 404 for everyone", viewers=NOBODY),
    api("api_deliveries.deliveries", "GET", "/api/v1/deliveries", SUPERVISORS, "deliveries and their attempts"),
    api("api_deliveries.redeliver", "POST", "/api/v1/deliveries/webhook/999999/redeliver", SUPERVISORS,
        "queue a redelivery (no such delivery: 404)", ok=(404,)),
    # --- API: administration ---
    api("api_admin.list_users", "GET", "/api/v1/admin/users", ONLY_ADMIN, "users"),
    api("api_admin.create_user", "POST", "/api/v1/admin/users", ONLY_ADMIN, "create a user (no fields: 422)"),
    api("api_admin.set_user_active", "POST", "/api/v1/admin/users/{office_id}/active", ONLY_ADMIN,
        "enable or disable a user (no value: 422)"),
    api("api_admin.reset_password", "POST", "/api/v1/admin/users/{office_id}/password", ONLY_ADMIN,
        "set a user's password (no password: 422)"),
    api("api_admin.claims", "GET", "/api/v1/admin/claims", OFFICE_OR_ADMIN, "applicants' claims"),
    api("api_admin.confirm_claim", "POST", "/api/v1/admin/claims/{person_id}/confirm", OFFICE_OR_ADMIN,
        "confirm a claim (already confirmed: 409)"),
    api("api_admin.reject_claim", "POST", "/api/v1/admin/claims/{person_id}/reject", OFFICE_OR_ADMIN,
        "reject a claim (no reason: 422)"),
    api("api_admin.create_department", "POST", "/api/v1/admin/departments", ONLY_ADMIN,
        "create a department (no fields: 422)"),
    api("api_admin.show_department", "GET", "/api/v1/admin/departments/{department_id}", ONLY_ADMIN, "a department"),
    api("api_admin.update_department", "PUT", "/api/v1/admin/departments/{department_id}", ONLY_ADMIN,
        "change a department (no body: 422)", ok=(422,)),
    api("api_admin.create_measure", "POST", "/api/v1/admin/measures", ONLY_ADMIN, "add a measure (no fields: 422)"),
    api("api_admin.show_measure", "GET", "/api/v1/admin/measures/{measure_id}", ONLY_ADMIN, "a measure"),
    api("api_admin.update_measure", "PUT", "/api/v1/admin/measures/{measure_id}", ONLY_ADMIN,
        "change a measure (no body: 422)", ok=(422,)),
    api("api_admin.change_setting", "PUT", "/api/v1/admin/settings/objection.acceptance_days", ONLY_ADMIN,
        "change a setting (no value: 422)", ok=(422,)),
    api("api_admin.numbering_patterns", "GET", "/api/v1/admin/numbering", ONLY_ADMIN, "document numbering patterns"),
    api("api_admin.change_numbering", "PUT", "/api/v1/admin/numbering/CZJ", ONLY_ADMIN,
        "change a department's numbering pattern (no body: 422)", ok=(422,)),
    api("api_admin.export_calendar", "GET", "/api/v1/admin/calendar/{year}", ONLY_ADMIN, "export a year"),
    api("api_admin.import_calendar", "PUT", "/api/v1/admin/calendar/{year}", ONLY_ADMIN,
        "import a year (no body: 422)", ok=(422,)),
    api("api_admin.list_matters", "GET", "/api/v1/admin/licence-matters", ONLY_ADMIN, "licence matters"),
    api("api_admin.create_matter", "POST", "/api/v1/admin/licence-matters", ONLY_ADMIN,
        "create a matter (no fields: 422)"),
    api("api_admin.show_matter", "GET", "/api/v1/admin/licence-matters/{matter_id}", ONLY_ADMIN, "a matter"),
    api("api_admin.update_matter", "PUT", "/api/v1/admin/licence-matters/{matter_id}", ONLY_ADMIN,
        "change a matter (no body: 422)", ok=(422,)),
    api("api_admin.add_material", "POST", "/api/v1/admin/licence-matters/{matter_id}/materials", ONLY_ADMIN,
        "add a material (no fields: 422)"),
    api("api_admin.update_material", "PUT", "/api/v1/admin/licence-matters/{matter_id}/materials/{material_id}",
        ONLY_ADMIN, "change a material (no body: 422)", ok=(422,)),
    api("api_admin.head", "GET", "/api/v1/admin/head-of-supervision", ONLY_ADMIN, "head of supervision"),
    api("api_admin.change_head", "PUT", "/api/v1/admin/head-of-supervision", ONLY_ADMIN,
        "choose the head (no body: 422)", ok=(422,)),
    api("api_accounts.sign_up", "POST", "/api/v1/accounts", PUBLIC, "sign up as an applicant (no fields: 422)"),
    api("api_accounts.me", "GET", "/api/v1/accounts/me", EVERYONE, "my own account"),
    api("api_accounts.change_password", "POST", "/api/v1/accounts/me/password", EVERYONE,
        "change my password (no fields: 422)"),
    api("api_accounts.contact", "PUT", "/api/v1/accounts/me/contact", EVERYONE,
        "change my mobile number and SMS choice (no body: 422)", ok=(422,)),
    # --- API: supervision ---
    api("api_supervision.dashboard", "GET", "/api/v1/supervision/dashboard", SUPERVISORS,
        "supervision dashboard figures"),
    api("api_supervision.department", "GET", "/api/v1/supervision/department", DEPARTMENTS | {OFFICE},
        "a department's own figures (the accepting office's: the credit office's)"),
    api("api_supervision.urge", "POST", "/api/v1/supervision/urgings", {SUPERVISOR},
        "urge departments (too short a message: 422)", data={"case_ids": [1], "message": "x"}),
    api("api_supervision.urgings", "GET", "/api/v1/supervision/urgings", SUPERVISORS | DEPARTMENTS | {OFFICE},
        "urgings (a department: those addressed to it)"),
    api("api_supervision.reply", "POST", "/api/v1/supervision/urgings/{urging_a}/reply", {"provider", "licensing"},
        "reply to an urging of SCJGJ (too short, or answered already: 422/409; other departments: 403)",
        data={"reply": "x"}),
    api("api_supervision.reports", "GET", "/api/v1/supervision/reports", SUPERVISORS, "monthly reports"),
    api("api_supervision.generate", "POST", "/api/v1/supervision/reports", SUPERVISORS,
        "generate a report (kept already: the same one, unchanged)", data={"month": "{month}"}),
    api("api_supervision.period", "GET", "/api/v1/supervision/reports/period", SUPERVISORS, "figures of a period"),
    api("api_supervision.month", "GET", "/api/v1/supervision/reports/{month}", SUPERVISORS, "a month's report"),
    api("api_supervision.month_csv", "GET", "/api/v1/supervision/reports/{month}.csv", SUPERVISORS, "as CSV"),
    api("api_supervision.month_xlsx", "GET", "/api/v1/supervision/reports/{month}.xlsx", SUPERVISORS, "as XLSX"),
    # --- API: escalation, red-list re-evaluation, green channel ---
    api("api_lists.escalate", "POST", "/api/v1/list-entries/{key_entry}/escalate", {"provider"},
        "move SCJGJ's key-attention subject to the blacklist (its own listing department; a past validity: 422)",
        data={"basis": "重点关注期间再次发生严重违法行为", "document_no": "珠市监〔2026〕1号",
              "valid_until": "2020-01-01", "measures": ["P-PROC"]}),
    api("api_lists.reevaluation_preview", "POST", "/api/v1/red-list/re-evaluations/preview", LISTERS,
        "preview a red-list re-evaluation (changes nothing; a rule matching none: 422)",
        data={"statement": "守合同重信用认定标准调整为连续三年。", "category": "contract_credit"}),
    api("api_lists.reevaluate", "POST", "/api/v1/red-list/re-evaluations", LISTERS,
        "remove red-list entries that no longer qualify (an entry the rule does not match: 422)",
        data={"statement": "守合同重信用认定标准调整为连续三年。", "category": "contract_credit",
              "entry_ids": [999999]}),
    api("api_lists.blacklist_reevaluation_preview", "POST", "/api/v1/blacklist/re-evaluations/preview", LISTERS,
        "preview a blacklist re-evaluation (changes nothing; a rule matching none: 422)",
        data={"statement": "经营异常名录类黑名单认定标准已调整。", "category": "market_regulation"}),
    api("api_lists.blacklist_reevaluate", "POST", "/api/v1/blacklist/re-evaluations", LISTERS,
        "exit blacklist entries the changed criteria no longer cover (an entry the rule does not match: 422)",
        data={"statement": "经营异常名录类黑名单认定标准已调整。", "category": "market_regulation",
              "entry_ids": [999999], "key_attention_months": 12}),
    api("api_lists.matters", "GET", "/api/v1/licence-matters", EVERYONE,
        "the green channel's licence matters (an applicant's eligibility with them)"),
    api("api_lists.matter", "GET", "/api/v1/licence-matters/{matter_code}", EVERYONE, "a licence matter"),
    api("api_lists.public_licences", "GET", "/api/v1/public/licences", PUBLIC, "licences granted (public)"),
    api("api_lists.notice", "GET", "/api/v1/cases/{case_a}/notice", NOBODY,
        "notice of a case that is no green case", viewers=NOBODY),
    api("api_lists.submit_material", "POST", "/api/v1/cases/{case_a}/materials/3/submit", NOBODY,
        "supply a material to a case that is no green case", viewers=NOBODY),
)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
GROUNDS = "原处罚决定已被复议机关撤销，请核实并撤销该黑名单记录。"


def build_world(app) -> dict:
    """Seed the demo data, then file case A (applicant) and B (person) with a file each, a notification, an urging."""
    from sqlalchemy import select

    from webapp.extensions import db
    from workflows.demo import ENTERPRISE_BLACK, ENTERPRISE_KEY, seed
    from workflows.services.admin.accounts import find_user
    from workflows.services.casework import evidence
    from workflows.services.casework.actors import actor_for
    from workflows.services.casework.cases import file_case
    from workflows.services.deliveries import notify
    from workflows.services.documents import issuing
    from workflows.services.supervision import monthly, urging
    from workflows.store.documents import DecisionDocument
    from workflows.store.green import LicenceMatter
    from workflows.store.models import Department, ListEntry, MeasureCatalogueItem

    session = db.session
    seed(session)
    session.commit()
    config = app.config["CREDIT_CASES"]
    ids = {}
    for key, username in (("a", "applicant"), ("b", "person")):
        user = find_user(session, username)
        entry = session.scalar(select(ListEntry.id).where(ListEntry.subject_id == user.subject_id))
        actor = actor_for(user)
        case = file_case(session, "objection", actor, {"list_entry_id": entry, "grounds": GROUNDS})
        stored = evidence.store(session, case, [evidence.Upload("decision.pdf", PDF)], actor, config.upload_dir,
                                config.max_upload_bytes)
        ids[f"case_{key}"], ids[f"file_{key}"] = case.id, stored[0].id
    person = find_user(session, "person")
    ids["note_b"] = notify.notice(session, "urging.sent", [person], key={"event": "access-table"}, case=1, by="test",
                                  due="2027-01-04", message="only for person")[0]
    urged = urging.urge(session, [ids["case_a"]], actor_for(find_user(session, "supervisor")), "please answer",
                        department_code="SCJGJ")
    ids["urging_a"] = urged[0].id
    ids["doc_a"] = issuing.issue(session, "refusal", session.scalar(select(Department.id)), clock.now(), "申请人",
                                 ["不予受理。"], action="refuse", case_id=ids["case_a"])
    matter = session.scalars(select(LicenceMatter).order_by(LicenceMatter.id)).first()
    last_month = (clock.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    monthly.generate(session, last_month, clock.today())
    ids.update(
        code_black=ENTERPRISE_BLACK, code_key=ENTERPRISE_KEY, office_id=find_user(session, "office").id,
        person_id=person.id, department_id=session.scalar(select(Department.id).order_by(Department.id)),
        measure_id=session.scalar(select(MeasureCatalogueItem.id).order_by(MeasureCatalogueItem.id)),
        year=clock.today().year, month=last_month, today=clock.today().isoformat(),
        entry_a=session.scalar(select(ListEntry.id).where(ListEntry.subject_id == find_user(session, "applicant").subject_id)),
        key_entry=session.scalar(select(ListEntry.id).where(ListEntry.list_kind == "key_attention")),
        matter_id=matter.id, matter_code=matter.code, material_id=matter.materials[0].id,
    )
    ids["listing_doc_a"] = session.scalar(select(DecisionDocument.id).where(DecisionDocument.list_entry_id == ids["entry_a"]))
    session.commit()
    return ids


def markdown() -> str:
    head = "| endpoint | method | path | " + " | ".join(ROLES) + " |"
    rule = "|" + "---|" * (3 + len(ROLES))
    lines = [head, rule]
    for row in TABLE:
        cells = []
        for role in ROLES:
            if role in row.allowed:
                cells.append("yes")
            elif role == "anonymous":
                cells.append("401" if row.api else "login")
            else:
                cells.append("404" if role in row.hidden else "403")
        path = row.path.replace("|", "\\|")
        lines.append(f"| `{row.endpoint}` ({row.what}) | {row.method} | `{path}`{' (token)' if row.api else ''} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import re
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "security.md"
    text = doc.read_text(encoding="utf-8")
    start, end = "<!-- access table: generated -->\n", "<!-- end of access table -->"
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: start + markdown() + end, text, flags=re.S)
    doc.write_text(text, encoding="utf-8")
