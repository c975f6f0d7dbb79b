"""A written decision as a PDF with Chinese text: reportlab with its built-in CID font STSong-Light, which needs
no font file (a PDF reader supplies the Song typeface), so nothing is fetched and nothing is installed."""
from __future__ import annotations

from functools import cache
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from workflows.store.documents import DecisionDocument

FONT = "STSong-Light"


@cache
def styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=21, wordWrap="CJK", firstLineIndent=24,
                          spaceAfter=8)
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=30, alignment=TA_CENTER,
                                firstLineIndent=0, spaceAfter=6),
        "number": ParagraphStyle("number", parent=body, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=18),
        "recipient": ParagraphStyle("recipient", parent=body, firstLineIndent=0),
        "body": body,
        "signature": ParagraphStyle("signature", parent=body, alignment=TA_RIGHT, firstLineIndent=0, spaceAfter=0),
    }


def text(value: str) -> str:
    """Plain text as a reportlab paragraph holds it: markup escaped, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


def render(document: DecisionDocument) -> bytes:
    """The document as issued, on A4; the same document gives the same bytes (no creation time in it)."""
    fields, style = document.fields, styles()
    buffer = BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=37 * mm,
                            bottomMargin=35 * mm, title=f"{fields['title']} {document.number}",
                            author=fields["issuer"], subject=fields["title"], creator="credit-cases",
                            invariant=True)
    story = [Paragraph(text(fields["title"]), style["title"]), Paragraph(text(document.number), style["number"])]
    if fields.get("recipient"):
        story.append(Paragraph(text(fields["recipient"]), style["recipient"]))
    story += [Paragraph(text(p), style["body"]) for p in fields["paragraphs"]]
    story += [Spacer(1, 18 * mm), Paragraph(text(fields["issuer"]), style["signature"]),
              Paragraph(text(fields["date"]), style["signature"])]
    pdf.build(story)
    return buffer.getvalue()


def file_name(document: DecisionDocument) -> str:
    """The download's name: the title and number, as a person files it."""
    return f"{document.fields['title']}-{document.number}.pdf".replace("/", "-")
