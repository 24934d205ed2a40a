"""Sample web pages and PDFs written on the spot, for the source benchmark and the tests: a
PDF writer small enough to read (text layer in Helvetica, one paragraph a block), and pages
with the navigation, banners, sidebars, comments and footers that real pages carry."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

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


ARTICLE = """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>{title} | The Daily Example</title>
<meta name="author" content="Ada Lovelace">
<meta property="article:published_time" content="2024-03-05T09:00:00Z">
<link rel="canonical" href="https://news.example.org/rivers">
<script>window.analytics = {{track: function () {{}}}};</script>
<style>nav {{ color: red }}</style>
</head><body>
<header><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a>
| <a href="/subscribe">Subscribe for 1 euro a month</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<main><article>
<h1>{title}</h1>
<p class="byline">By Ada Lovelace, 5 March 2024</p>
{body}
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Ten celebrity diets that shocked the world</a></li>
<li><a href="/b">Markets rally as investors shrug off inflation worries</a></li></ul></aside>
</main>
<footer><p>Copyright 2024 The Daily Example. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></footer>
<script>document.write("tracking pixel loaded");</script>
</body></html>
"""

RIVER_PARAGRAPHS = [
    "The Danube flows through ten countries, more than any other river in the world. "
    "It rises in the Black Forest of Germany and reaches the Black Sea in Romania.",
    "The Rhine rises in the Swiss Alps and reaches the North Sea in the Netherlands. "
    "For centuries it has been one of the busiest waterways in Europe.",
    "The Volga is the longest river in Europe. It flows entirely within Russia and ends in "
    "the Caspian Sea, a lake without an outlet to the ocean.",
]
BOILERPLATE = [
    "Subscribe for 1 euro",
    "We use cookies",
    "Most read",
    "celebrity diets",
    "All rights reserved",
    "Privacy policy",
    "tracking pixel",
    "analytics",
]


def article_html(
    title: str = "Rivers of Europe", paragraphs: list[str] | None = None, charset: str = "utf-8"
) -> bytes:
    """A news article with navigation, a cookie banner, a sidebar, a footer and scripts."""
    body = "\n".join(f"<p>{p}</p>" for p in (paragraphs or RIVER_PARAGRAPHS))
    page = ARTICLE.format(title=title, body=body)
    if charset != "utf-8":
        page = page.replace('<meta charset="utf-8">', f'<meta charset="{charset}">')
    return page.encode(charset)


@dataclass(frozen=True, slots=True)
class SamplePage:
    """A realistic page: its HTML, the paragraphs a reader sees as its main text, and
    snippets of what surrounds them (menus, banners, sidebars, comments, footers, scripts)."""

    name: str
    html: str
    main: tuple[str, ...]
    boilerplate: tuple[str, ...]


_BLOG_MAIN = (
    "Last spring I spent three weeks walking the Camino Portugues from Porto to Santiago de "
    "Compostela, about 260 kilometres in all.",
    "The coastal route follows boardwalks over the dunes for the first two days. After Vila do "
    "Conde the path turns inland, and the yellow arrows lead through eucalyptus forests and "
    "small villages.",
    "Most pilgrims stay in albergues, hostels run by towns and parishes, where a bed costs "
    "between eight and fifteen euros a night. They open in the afternoon and fill quickly in "
    "May and September.",
    "The hardest stage was the climb out of Ponte de Lima over the Labruja pass. It is only "
    "400 metres of ascent, but the path is rocky and steep after heavy rain.",
    "I carried a pack of seven kilograms, which was still too much. Next time I will leave the "
    "second pair of shoes at home.",
)
_BLOG = (
    """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Walking the Camino Portugues
 - Slow Miles</title><meta name="author" content="Marta Sousa">
<meta property="article:published_time" content="2023-06-12"></head><body>
<div class="topbar"><a href="/">Slow Miles</a><ul class="menu"><li><a href="/europe">Europe
</a></li><li><a href="/gear">Gear reviews</a></li><li><a href="/about">About me</a></li></ul>
</div>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Pin it</a></div>
<div class="post"><h1>Walking the Camino Portugues</h1>
<div class="post-meta">Posted on June 12, 2023 by Marta Sousa in Hiking</div>
<div class="entry-content">"""
    + "".join(f"<p>{p}</p>" for p in _BLOG_MAIN)
    + """</div>
<div class="author-bio">Marta Sousa writes about long-distance walking. Follow her newsletter
for weekly trail notes.</div>
<div class="related"><h3>You might also like</h3><ul><li><a href="/r1">Ten essential items
for your first thru-hike</a></li><li><a href="/r2">Why I switched to trail runners</a></li>
</ul></div></div>
<div id="comments"><h3>12 comments</h3>
<div class="comment"><p>Great write-up! Did you book the albergues in advance or just turn up
on the day?</p></div>
<div class="comment"><p>Thanks for sharing, we are planning the same route next autumn with
our kids.</p></div>
<form><textarea>Leave a reply</textarea><button>Post comment</button></form></div>
<div class="sidebar"><h4>Newsletter</h4><p>Sign up and get my free packing list.</p>
<h4>Archives</h4><ul><li>May 2023</li><li>April 2023</li></ul></div>
<footer>Proudly powered by WordPress. Theme by Example Themes.</footer>
<script>gtag('config', 'UA-000000');</script></body></html>"""
)
_BLOG_JUNK = (
    "Gear reviews",
    "Share on Facebook",
    "Follow her newsletter",
    "You might also like",
    "essential items",
    "book the albergues in advance",
    "Leave a reply",
    "free packing list",
    "Archives",
    "powered by WordPress",
    "gtag",
)

_WIKI_MAIN = (
    "The Atacama Desert is a desert plateau on the Pacific coast of South America, covering a "
    "strip of land west of the Andes.",
    "It is the driest nonpolar desert in the world. Some weather stations in the Atacama have "
    "never received rain.",
    "The desert owes its extreme aridity to a constant temperature inversion caused by the "
    "cool north-flowing Humboldt ocean current and to the strong Pacific anticyclone.",
    "Because of its high altitude, nearly non-existent cloud cover, dry air and lack of light "
    "pollution, the Atacama is one of the best places in the world to observe the night sky.",
    "The Atacama Large Millimeter Array, a radio telescope of 66 antennas, was built on the "
    "Chajnantor plateau at an altitude of 5,000 metres.",
)
_WIKI = (
    """<html><head><meta charset="utf-8"><title>Atacama Desert - Encyclopedia Example</title>
</head><body>
<div id="mw-head"><a href="/login">Log in</a> <a href="/create">Create account</a>
<input placeholder="Search Encyclopedia Example"></div>
<div id="mw-panel"><a href="/main">Main page</a><a href="/random">Random article</a>
<a href="/donate">Donate to the encyclopedia</a></div>
<div id="content"><h1 id="firstHeading">Atacama Desert</h1>
<div id="siteSub">From Encyclopedia Example, the free encyclopedia</div>
<table class="infobox"><tr><th>Area</th><td>105,000 km2</td></tr>
<tr><th>Countries</th><td>Chile, Peru</td></tr></table>
<p>"""
    + _WIKI_MAIN[0]
    + """</p><p>"""
    + _WIKI_MAIN[1]
    + """</p>
<div id="toc"><h2>Contents</h2><ul><li>1 Climate</li><li>2 Astronomy</li>
<li>3 References</li></ul></div>
<h2>Climate<span class="mw-editsection">[edit]</span></h2><p>"""
    + _WIKI_MAIN[2]
    + """</p>
<h2>Astronomy<span class="mw-editsection">[edit]</span></h2><p>"""
    + _WIKI_MAIN[3]
    + "</p><p>"
    + _WIKI_MAIN[4]
    + """</p>
<h2>References</h2><ol class="references"><li>McKay, C. P. (2002). Two dry for life.
Retrieved 12 May 2020.</li></ol>
<div class="navbox">Deserts of the world: Sahara | Gobi | Kalahari | Namib | Atacama</div>
<div id="catlinks">Categories: Deserts of Chile | Regions of Peru</div></div>
<div id="footer">This page was last edited on 3 March 2024. Text is available under a
Creative Commons licence.</div></body></html>"""
)
_WIKI_JUNK = (
    "Create account",
    "Random article",
    "Donate to the encyclopedia",
    "Retrieved 12 May",
    "Deserts of the world",
    "Categories:",
    "last edited on",
    "Creative Commons",
)

_REPORT_MAIN = (
    "In 2023 the city's tram network carried 41 million passengers, 6 percent more than the "
    "year before.",
    "The new line to the university opened in September. It added 7.4 kilometres of track and "
    "eleven stops, and it carried 12,000 passengers on an average weekday by December.",
    "Punctuality fell slightly, from 91 to 89 percent of trams arriving within two minutes of "
    "the timetable, mostly because of roadworks in the old town.",
    "The council will decide in March whether to extend the line to the airport. The "
    "extension would cost an estimated 180 million euros.",
)
_REPORT = (
    """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Annual transport report 2023 | City of Example</title></head><body>
<div class="skip"><a href="#main">Skip to content</a></div>
<header><img alt="City of Example logo"><nav><ul><li><a href="/residents">Residents</a></li>
<li><a href="/business">Business</a></li><li><a href="/council">Council and democracy</a>
</li><li><a href="/contact">Contact us</a></li></ul></nav></header>
<ol class="breadcrumb"><li>Home</li><li>Transport</li><li>Reports</li></ol>
<div class="alert">Bin collections are delayed this week because of the holiday.</div>
<main id="main"><h1>Annual transport report 2023</h1>"""
    + "".join(f"<p>{p}</p>" for p in _REPORT_MAIN)
    + """</main>
<section class="feedback"><h2>Was this page helpful?</h2><button>Yes</button>
<button>No</button></section>
<form class="newsletter"><label>Get council news by email</label><input type="email">
</form>
<footer><ul><li>Accessibility statement</li><li>Cookies</li><li>Jobs at the council</li>
</ul><p>City of Example, Town Hall, Market Square 1</p></footer></body></html>"""
)
_REPORT_JUNK = (
    "Skip to content",
    "Council and democracy",
    "Bin collections are delayed",
    "Was this page helpful",
    "Get council news by email",
    "Accessibility statement",
    "Jobs at the council",
    "Market Square 1",
)


def quality_pages() -> list[SamplePage]:
    """Four pages as sites build them: a news article, a blog post with comments, an
    encyclopedia article and a council report."""
    return [
        SamplePage(
            "news article",
            article_html().decode(),
            (*RIVER_PARAGRAPHS,),
            tuple(BOILERPLATE),
        ),
        SamplePage("blog post with comments", _BLOG, _BLOG_MAIN, _BLOG_JUNK),
        SamplePage("encyclopedia article", _WIKI, _WIKI_MAIN, _WIKI_JUNK),
        SamplePage("council report", _REPORT, _REPORT_MAIN, _REPORT_JUNK),
    ]
