"""The report as Markdown (CommonMark), for wikis, issue trackers and e-mail.

Paragraph numbers are written as bold text (« **16.** »), never as a Markdown ordered list,
which a viewer would renumber from 1 in each list. The lines below a paragraph are paragraphs
of their own, indented with em spaces (`&emsp;`), which no viewer takes for a code block or a
list. User text is escaped, so a drafter's `*`, `_`, `[`, `<` or `#` shows as typed.
"""

import re

from events.model import Report
from events.render.outline import Heading, outline

# Characters that start emphasis, code, links, HTML, entities, headings, tables or strikethrough.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_INDENT = "&emsp;" * 2


def escape(text: str) -> str:
    """`text` as Markdown that displays it as it is, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def render_markdown(report: Report) -> str:
    laid_out = outline(report)
    blocks = [f"# {escape(laid_out.title)}"]
    for block in laid_out.blocks:
        if isinstance(block, Heading):
            blocks.append(f"{'#' * (block.level + 1)} {block.number}. {escape(block.title)}")
            continue
        blocks.append(f"**{block.number}.** {escape(block.text)}")
        for line in block.lines:
            blocks.append(_INDENT * line.depth + " ".join(filter(None, (line.label, escape(line.text)))))
    return "\n\n".join(blocks) + "\n"
