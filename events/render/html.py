"""The report as one printable HTML5 page, laid out like a UN document.

The symbol at the top right, the bodies and the meeting under it, the title centred, then the
chapters, sections and paragraphs in a serif face with their numbers in a hanging left margin;
A4 pages when printed. The page is self-contained (an inline style sheet, no script, nothing
fetched) and every piece of user text goes through `html.escape`, so what a drafter typed is
shown as text and can never become markup.
"""

from html import escape

from events.listings import Line
from events.model import Report
from events.render.outline import Heading, NumberedParagraph, outline

DEEPEST = 3  # lines deeper than this are indented as deep as this

STYLE = """\
@page { size: A4; margin: 25mm 20mm; }
html { background: #fff; color: #000; }
body { font-family: "Times New Roman", Times, "Liberation Serif", serif; font-size: 11pt;
       line-height: 1.4; max-width: 165mm; margin: 2em auto; padding: 0 1.5em; }
header { border-bottom: 1.5pt solid #000; margin-bottom: 2.5em; padding-bottom: .5em; }
header p { margin: 0 0 .3em; }
.symbol { text-align: right; font-size: 15pt; font-weight: bold; }
.body { font-weight: bold; }
h1 { text-align: center; font-size: 15pt; margin: 0 0 1.5em; }
h2 { font-size: 12pt; margin: 1.8em 0 .8em; }
h3 { font-size: 11pt; margin: 1.4em 0 .7em; }
h2, h3 { padding-left: 3em; text-indent: -3em; break-after: avoid; }
p.numbered { padding-left: 3em; text-indent: -3em; }
p.line { padding-left: 6em; text-indent: -3em; }
p.depth-2 { padding-left: 9em; }
p.depth-3 { padding-left: 12em; }
p { margin: 0 0 .6em; text-align: justify; hyphens: auto; orphans: 2; widows: 2; }
.number, .label { display: inline-block; width: 3em; text-indent: 0; }
@media print { body { max-width: none; margin: 0; padding: 0; font-size: 10pt; } }
"""


def _line(line: Line) -> str:
    label = f'<span class="label">{escape(line.label)} </span>' if line.label else ""
    return f'<p class="line depth-{min(line.depth, DEEPEST)}">{label}{escape(line.text)}</p>'


def _paragraph(block: NumberedParagraph) -> list[str]:
    kind = "numbered recommendation" if block.recommendation else "numbered"
    first = f'<p class="{kind}"><span class="number">{block.number}. </span>{escape(block.text)}</p>'
    return [first, *(_line(line) for line in block.lines)]


def render_html(report: Report) -> str:
    laid_out = outline(report)
    header = [f'<p class="symbol">{escape(laid_out.symbol)}</p>'] if laid_out.symbol else []
    header.extend(f'<p class="body">{escape(body)}</p>' for body in laid_out.bodies)
    if laid_out.meeting:
        header.append(f'<p class="meeting">{escape(laid_out.meeting)}</p>')
    main = [f"<h1>{escape(laid_out.title)}</h1>"]
    open_sections = 0
    for block in laid_out.blocks:
        if isinstance(block, Heading):
            # A chapter closes the open chapter and its open section; a section closes the open section.
            while open_sections >= block.level:
                main.append("</section>")
                open_sections -= 1
            main.append(f'<section class="{"chapter" if block.level == 1 else "section"}">')
            open_sections += 1
            tag = f"h{block.level + 1}"
            main.append(f'<{tag}><span class="number">{block.number}. </span>{escape(block.title)}</{tag}>')
        else:
            main.extend(_paragraph(block))
    main.extend(["</section>"] * open_sections)
    return "\n".join(
        [
            "<!doctype html>",
            f'<html lang="{escape(laid_out.language)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(laid_out.title)}</title>",
            f"<style>\n{STYLE}</style>",
            "</head>",
            "<body>",
            *(["<header>", *header, "</header>"] if header else []),
            "<main>",
            *main,
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )
