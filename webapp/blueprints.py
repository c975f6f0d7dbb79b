"""Every blueprint of the application, in one place: `create_app` registers the pages, then the JSON API (whose
OpenAPI document lists its tags in this order). Blueprint and endpoint names are what templates and clients use in
`url_for` and the access table: a module may move, its blueprint keeps its name."""
from __future__ import annotations

import webapp.api.admin
import webapp.api.cases
import webapp.api.deliveries
import webapp.api.hub
import webapp.api.instructions
import webapp.api.lists
import webapp.api.reference
import webapp.api.supervision
import webapp.api.v1
import webapp.api.webhooks
import webapp.pages.admin
import webapp.pages.auth
import webapp.pages.blacklist
import webapp.pages.cases
import webapp.pages.deliveries
import webapp.pages.green
import webapp.pages.instructions
import webapp.pages.licence_admin
import webapp.pages.listings
import webapp.pages.main
import webapp.pages.public
import webapp.pages.public_lists
import webapp.pages.removal
import webapp.pages.repair
import webapp.pages.reports
import webapp.pages.subjects
import webapp.pages.supervision
import webapp.pages.verification

pages, api = webapp.pages, webapp.api

# the HTML pages (Flask blueprints)
PAGES = (
    pages.auth.bp,
    pages.main.bp,
    pages.subjects.bp,
    pages.admin.bp,
    pages.cases.bp,
    pages.supervision.bp,
    pages.reports.bp,
    pages.green.bp,  # the green channel's pages
    pages.licence_admin.bp,  # and its licence matters catalogue
    pages.listings.bp,  # listings in; webhooks out
    pages.public_lists.bp,
    pages.repair.bp,
    pages.public.bp,  # the public announcements and their feed
    pages.removal.bp,  # red-list removal: abuse reports, re-evaluation against changed criteria
    pages.blacklist.bp,  # blacklist exits against changed criteria
    pages.deliveries.bp,  # what is owed outside: deliveries and their attempts
    pages.instructions.bp,  # execution feedback: instructions on measures, confirmed
    pages.verification.bp,  # verifications the subject did not ask for: complaints, departments' own findings
)

# the JSON API under /api/v1 (flask-smorest blueprints, documented in the OpenAPI document): bearer tokens
API = (
    api.v1.auth_bp,
    api.v1.subjects_bp,
    api.cases.bp,
    api.hub.entries_bp,
    api.hub.status_bp,
    api.webhooks.bp,
    api.instructions.bp,
    api.deliveries.bp,
    api.reference.public_bp,
    api.reference.reference_bp,
    pages.public.api_bp,
    api.admin.bp,
    api.admin.accounts_bp,
    api.supervision.bp,
    api.lists.bp,
)
