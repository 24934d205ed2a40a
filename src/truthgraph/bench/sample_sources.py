"""Sample web pages and PDFs written on the spot, for the source benchmark and the tests: a
PDF writer small enough to read (text layer in Helvetica, one paragraph a block), and pages
with the navigation, banners, sidebars, comments and footers that real pages carry."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

_WRAP = 85  # characters a line at 11 pt on a Letter page with 1-inch margins
_LINES_PER_PAGE = 48


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _content(paragraphs: Sequence[str]) -> bytes:
    """A page's content stream: each paragraph wrapped, a blank line between paragraphs."""
    if not paragraphs:
        # no text layer: a grey box where a scan's image would be
        return b"0.8 g 72 72 468 648 re f"
    lines: list[bytes] = [b"BT /F1 11 Tf 14 TL 72 740 Td"]
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, _WRAP) or [""]:
            lines.append(_pdf_string(line) + b" Tj T*")
        lines.append(b"T*")
    lines.append(b"ET")
    return b"\n".join(lines)


def text_pdf(
    pages: Sequence[Sequence[str]], title: str | None = None, author: str | None = None
) -> bytes:
    """A valid PDF, one page per item of ``pages`` (a list of paragraphs); a page with no
    paragraphs has no text, as a scanned page. Text outside cp1252 becomes ``?``."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)))
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for page_id, paragraphs in zip(page_ids, pages, strict=True):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        stream = _content(paragraphs)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    info = b""
    if title:
        info += b"/Title " + _pdf_string(title) + b" "
    if author:
        info += b"/Author " + _pdf_string(author) + b" "
    objects.append(b"<< " + info + b"/Producer (TruthGraph sample) >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        len(objects),
        xref,
    )
    return bytes(out)


def paginate(paragraphs: Sequence[str]) -> list[list[str]]:
    """Paragraphs laid out on pages of about ``_LINES_PER_PAGE`` lines."""
    pages: list[list[str]] = [[]]
    used = 0
    for paragraph in paragraphs:
        lines = len(textwrap.wrap(paragraph, _WRAP)) + 1
        if used + lines > _LINES_PER_PAGE and pages[-1]:
            pages.append([])
            used = 0
        pages[-1].append(paragraph)
        used += lines
    return pages
