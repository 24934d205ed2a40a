"""``truthgraph check --html``: one self-contained page (no network, no external file).

The text is shown whole, each checked sentence highlighted by its verdict; a click on a
sentence shows its claims, their verdicts and their best evidence. The report's JSON is
embedded in the page, so the page is also a record of the check.
"""

from __future__ import annotations

import html
import json
from typing import Any

from truthgraph.check.report import NOT_SUPPORTED, CheckReport, binary

COLOURS = {
    "SUPPORTED": "#c8f0cf",
    "REFUTED": "#f7c6c6",
    "PARTLY_SUPPORTED": "#f9e3b4",
    "NOT_ENOUGH_INFO": "#e3e3e3",
}
BINARY_COLOURS = {"SUPPORTED": COLOURS["SUPPORTED"], NOT_SUPPORTED: COLOURS["REFUTED"]}

_STYLE = """
body{font:16px/1.55 system-ui,sans-serif;margin:0;display:flex;min-height:100vh;color:#222}
main{flex:3;padding:1.5rem 2rem;white-space:pre-wrap;max-width:52rem}
aside{flex:2;padding:1.5rem;border-left:1px solid #ccc;background:#fafafa;overflow:auto}
mark{cursor:pointer;border-radius:3px;padding:0 1px}
mark.selected{outline:2px solid #333}
.legend span{display:inline-block;padding:0 .4rem;margin-right:.3rem;border-radius:3px}
.claim{margin:.6rem 0;padding:.5rem;background:#fff;border:1px solid #ddd;border-radius:4px}
.evidence{font-size:.9em;color:#444;margin:.3rem 0 0 1rem}
h1{font-size:1.2rem;margin:0 0 .5rem}
"""

_SCRIPT = """
const report = JSON.parse(document.getElementById('report').textContent);
const panel = document.getElementById('details');
function esc(t){const d=document.createElement('div');d.textContent=t==null?'':String(t);
  return d.innerHTML;}
function show(i){
  document.querySelectorAll('mark.selected').forEach(m=>m.classList.remove('selected'));
  document.querySelector('mark[data-i="'+i+'"]').classList.add('selected');
  const s = report.sentences[i];
  let out = '<h2>'+esc(s.verdict)+'</h2><p>'+esc(s.text)+'</p>';
  for (const c of s.claims){
    out += '<div class="claim"><b>'+esc(c.verdict)+'</b> ('+c.confidence.toFixed(2)+') '
      + esc(c.text);
    for (const e of c.evidence){
      out += '<div class="evidence">'+esc(e.label)+' · '+esc(e.title||e.source||'')
        + ': '+esc(e.text)+(e.read_with ? ' <i>(read after: '+esc(e.read_with)+')</i>' : '')
        + '</div>';
    }
    out += '</div>';
  }
  for (const u of s.unmapped_claims){ out += '<div class="claim">dropped (not in the text): '
    + esc(u)+'</div>'; }
  panel.innerHTML = out;
}
document.querySelectorAll('mark').forEach(m=>m.addEventListener('click',()=>show(m.dataset.i)));
"""


def _summary(data: dict[str, Any]) -> str:
    score = data["factuality"]
    counts = data["sentences_by_verdict"]
    parts = [f"{k.replace('_', ' ').lower()} {v}" for k, v in counts.items()]
    factual = f"{100 * score:.0f}%" if score is not None else "n/a"
    return (
        f"{data['verdict']} · factuality {factual} ({data['claims']} claims) · "
        f"{data['sentences_checked']} of {data['sentences']} sentences checked: " + ", ".join(parts)
    )


def render_html(report: CheckReport, title: str = "TruthGraph check") -> str:
    """The report as one HTML page with its styles, script and data inline."""
    data = report.to_dict()
    text = report.text
    body: list[str] = []
    cursor = 0
    colours = BINARY_COLOURS if report.labels == "binary" else COLOURS
    for result in report.sentences:
        label = result.label
        if label is None:
            continue
        value = binary(label.value) if report.labels == "binary" else label.value
        s = result.sentence.sentence
        body.append(html.escape(text[cursor : s.start]))
        body.append(
            f'<mark data-i="{result.sentence.index}" data-verdict="{value}" '
            f'style="background:{colours[value]}" title="{value}">'
            f"{html.escape(text[s.start : s.end])}</mark>"
        )
        cursor = s.end
    body.append(html.escape(text[cursor:]))
    legend = "".join(
        f'<span style="background:{colour}">{name.replace("_", " ").lower()}</span>'
        for name, colour in colours.items()
    )
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<style>{_STYLE}</style></head><body>"
        f'<main id="text">{"".join(body)}</main>'
        f'<aside><h1>{html.escape(title)}</h1><p id="summary">{html.escape(_summary(data))}</p>'
        f'<p class="legend">{legend}</p><div id="details"><p>Click a highlighted sentence for '
        "its claims and evidence.</p></div></aside>"
        f'<script type="application/json" id="report">{payload}</script>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
