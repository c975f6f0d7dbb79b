"""Public announcements of list exits and corrections (公告), as a page, an Atom feed and a JSON list.

No log-in. Announcements are published only for public lists (consequences.announce), and the query
excludes the key-attention list as well, so no key-attention matter can ever appear here.
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

import marshmallow as ma
from flask import Blueprint, Response, render_template, request, url_for
from flask_smorest import Blueprint as ApiBlueprint

from workflows.services.lists.list_lifecycle import public_announcements

from ..extensions import db

bp = Blueprint("public", __name__, url_prefix="/public")
api_bp = ApiBlueprint("api_announcements", __name__, url_prefix="/api/v1/announcements",
                      description="Public announcements of list exits and corrections")
PER_PAGE = 20
FEED_SIZE = 50
ATOM = "http://www.w3.org/2005/Atom"


def _page_number() -> int:
    return min(max(1, request.args.get("page", 1, type=int)), 1_000_000)  # a huge page is the last, not an overflow


@bp.get("/announcements")
def announcements():
    page = public_announcements(db.session, _page_number(), PER_PAGE)
    response = Response(render_template("public/announcements.html", page=page))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _iso(instant) -> str:
    return instant.isoformat(timespec="seconds").replace("+00:00", "Z")


@bp.get("/announcements.atom")
def feed():
    items = public_announcements(db.session, 1, FEED_SIZE).items
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    page_url = url_for(".announcements", _external=True)
    ET.SubElement(root, f"{{{ATOM}}}id").text = page_url
    ET.SubElement(root, f"{{{ATOM}}}title").text = "信用信息公告 · Credit announcements"
    ET.SubElement(root, f"{{{ATOM}}}updated").text = _iso(items[0].published_at) if items else "1970-01-01T00:00:00Z"
    ET.SubElement(root, f"{{{ATOM}}}link", href=page_url)
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=url_for(".feed", _external=True))
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "市信用办"
    for item in items:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{page_url}#announcement-{item.id}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = item.title
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _iso(item.published_at)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _iso(item.published_at)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=item.kind)
        ET.SubElement(entry, f"{{{ATOM}}}link", href=f"{page_url}#announcement-{item.id}")
        ET.SubElement(entry, f"{{{ATOM}}}content", type="text").text = item.body
    body = ET.tostring(root, encoding="unicode", xml_declaration=True)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


class AnnouncementOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": "exit or correction"})
    list = ma.fields.String(attribute="list_kind", metadata={"description": "red or black"})
    channel = ma.fields.String(metadata={"description": "where the listing was published"})
    title = ma.fields.String()
    body = ma.fields.String()
    published_at = ma.fields.DateTime()


class AnnouncementPageOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AnnouncementOut))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


class PageIn(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=PER_PAGE, validate=ma.validate.Range(min=1, max=100))


@api_bp.route("", methods=["GET"])
@api_bp.arguments(PageIn, location="query")
@api_bp.response(200, AnnouncementPageOut)
@api_bp.doc(description="Public, no token. Newest first. The Atom feed of the same is at /public/announcements.atom.")
def api_index(args):
    """The public announcements of list exits and corrections."""
    page = public_announcements(db.session, args["page"], args["per_page"])
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}
