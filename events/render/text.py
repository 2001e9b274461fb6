"""The report as plain text, in the layout of the drafts the secretariat circulates.

The title, then each chapter « I. Introduction », section « A. Title » and paragraph
« 1. text » as a block, with a blank line between blocks. The lines set out below a paragraph
(its block list, its sub-items « a) … ») follow its text directly, indented four spaces a level,
so that a numbered agenda line is never read as a paragraph number.
"""

from events.model import Report
from events.render.outline import Heading, outline

INDENT = "    "


def render_text(report: Report) -> str:
    laid_out = outline(report)
    blocks = [laid_out.title]
    for block in laid_out.blocks:
        if isinstance(block, Heading):
            blocks.append(f"{block.number}. {block.title}")
            continue
        lines = [f"{block.number}. {block.text}"]
        lines.extend(INDENT * line.depth + " ".join(filter(None, (line.label, line.text))) for line in block.lines)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
