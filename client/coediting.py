"""Typing in a paragraph that others type in too: the client side of operational transformation.

A `ParagraphEditor` keeps its own copy of one paragraph's text and changes it at once, so
typing never waits on the network. What it typed reaches the server as `EditParagraphText`
commands, one at a time, as in ot.js and ShareDB:

- *in flight*: at most one op sent and not yet acknowledged, made on revision `base_revision`;
- *buffer*: everything typed since, composed into one op, sent when the one in flight is
  acknowledged.

The server puts each op after whatever was committed since its base revision (transforming it
with side "left", see `events.decide`) and records it as `ParagraphTextEdited`. The editor
does the mirror image with every edit of the paragraph that comes from someone else: it
transforms the in-flight op and the buffer past it, and it past them (side "right"), then
applies it to its text. Its own edit comes back as an event with the command id it was sent
with; that only moves the revision on. So every editor, and the server, end with the same
text once everyone's ops have gone through.

Reconnection needs nothing more: `LiveReport` catches up on the events it missed, in order,
before anything else, and resends the unacknowledged command under the same command id, which
the server applies at most once; the editor sees its own event exactly once either way.

An edit refused for now (`revision_too_old` after a long disconnection, `version_conflict`)
is sent again, transformed up to the editor's revision, under the same command id. One
refused for good (the chapter was adopted, the list mark deleted, the paragraph removed…)
cannot be merged: the editor drops what it had not yet had accepted, takes the paragraph's
text from the report and keeps the refusal in `refusal` (and calls `on_refused`).
"""

import asyncio
import logging
import uuid
from collections.abc import Callable

from client.live import CommandRefused, LiveReport
from events import text_ops
from events.catalogue import ChapterRemoved, SectionRemoved
from events.commands import EditParagraphText
from events.envelope import StoredEvent
from events.model import Paragraph, Report
from events.protocol import Ack
from events.text_ops import Delete, Op

log = logging.getLogger(__name__)

# Refusals that say "not now" rather than "never": the op in flight, already transformed past
# every edit received since, is sent again on the editor's revision under the same command id,
# so that it still takes effect at most once. `revision_too_old` comes after a long
# disconnection, `version_conflict` when a server lost too many races for the report.
RETRIED = frozenset({"revision_too_old", "version_conflict"})
MAX_RETRIES = 20


def find_paragraph(report: Report | None, paragraph_id: str) -> Paragraph | None:
    if report is None:
        return None
    return next((p for p in report.all_paragraphs() if p.id == paragraph_id), None)


class ParagraphEditor:
    """One drafter's view of one paragraph, editable at once; use within the LiveReport's loop.

    `text` is what this drafter sees: the paragraph at `revision` with their own edits not yet
    committed applied on top. `pending` is true until the server has committed them all.
    `on_remote_edit(op)` is called with each op applied to `text` on behalf of someone else
    (already transformed, so a caret can follow it with `text_ops.transform_position`).
    """

    def __init__(
        self,
        live: LiveReport,
        paragraph_id: str,
        *,
        on_remote_edit: Callable[[Op], None] | None = None,
        on_refused: Callable[[CommandRefused], None] | None = None,
    ) -> None:
        paragraph = find_paragraph(live.report, paragraph_id)
        if paragraph is None:
            raise LookupError(f"no paragraph {paragraph_id} in report {live.report_id}")
        self.live = live
        self.paragraph_id = paragraph_id
        self.on_remote_edit = on_remote_edit
        self.on_refused = on_refused
        self.text = paragraph.text
        self.revision = paragraph.revision
        self.refusal: CommandRefused | None = None
        self.removed = False
        self._closed = False
        self._inflight: Op | None = None  # sent, and not yet seen committed
        self._inflight_id: str | None = None  # its command id, until its ack
        self._buffer: Op | None = None  # typed since it was sent
        self._retries = 0
        self._idle = asyncio.Event()
        self._idle.set()
        # Taken from `live.report` and subscribed in one step: no event can fall in between.
        self._stop_listening = live.listen(self._on_event)

    # Typing

    def edit(self, op: Op) -> None:
        """Apply `op` (made on `text`) now, and send it when the one in flight is acknowledged.

        Raises ValueError, leaving everything as it was, if `op` does not fit `text`.
        """
        if self.removed:
            raise CommandRefused("unknown_paragraph", f"paragraph {self.paragraph_id} was removed")
        if self._closed:
            raise RuntimeError("this editor was closed")
        op = text_ops.normalize(op)
        self.text = text_ops.apply(self.text, op)
        if not op:
            return
        if self._inflight_id is None:
            self._send(op)
        else:
            self._buffer = op if self._buffer is None else text_ops.compose(self._buffer, op)

    def insert(self, position: int, text: str) -> None:
        """Insert `text` before code point `position`."""
        self.edit([position, text])

    def delete(self, position: int, length: int) -> str:
        """Delete `length` code points from `position` on; returns the text deleted."""
        deleted = self.text[position : position + length]
        self.edit([position, Delete(length)])
        return deleted

    @property
    def pending(self) -> bool:
        """Whether some of this drafter's edits are not yet committed and acknowledged."""
        return self._inflight_id is not None

    async def settled(self, timeout: float | None = None) -> None:
        """Wait until every edit made so far is committed (or refused) and acknowledged."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    def close(self) -> None:
        """Stop following the report. The op in flight still goes through `live`, but what was
        typed after it is not sent: wait for `settled()` first to keep it."""
        self._closed = True
        self._stop_listening()

    # The server's side of the story

    def _send(self, op: Op, command_id: str | None = None) -> None:
        """Send `op`, made on `revision`: a new edit, or (with its command id) one sent again."""
        if command_id is None:
            command_id, self._retries = f"edit-{uuid.uuid4()}", 0
        self._inflight, self._inflight_id = op, command_id
        self._idle.clear()
        command = EditParagraphText(paragraph_id=self.paragraph_id, base_revision=self.revision, ops=op)
        future = self.live.send(command, command_id=command_id)
        future.add_done_callback(lambda done: self._acknowledged(command_id, done))

    def _on_event(self, event: StoredEvent) -> None:
        """Called by `live` with each new event, once it is in `live.report`."""
        if self.removed:
            return
        if getattr(event.data, "paragraph_id", None) != self.paragraph_id:
            if isinstance(event.data, (ChapterRemoved, SectionRemoved)):
                self.removed = find_paragraph(self.live.report, self.paragraph_id) is None
            return
        paragraph = find_paragraph(self.live.report, self.paragraph_id)
        if paragraph is None:
            self.removed = True
            return
        if paragraph.revision == self.revision:
            return  # moved, or its sub-items changed: not its text
        if paragraph.revision != self.revision + 1:
            log.error("paragraph %s went from revision %d to %d in one event", self.paragraph_id, self.revision, paragraph.revision)
            self._reset_to(paragraph)
            return
        if self._inflight is not None and event.command_id == self._inflight_id:
            self._inflight = None  # committed: the text already shows it
            self.revision = paragraph.revision
            return
        # Whatever changed the text (typing, replacing, filling a placeholder), evolve
        # recorded it as the paragraph's latest op.
        try:
            self._integrate(paragraph.recent_ops[-1])
        except ValueError:
            log.exception("paragraph %s: revision %d does not fit the local text", self.paragraph_id, paragraph.revision)
            self._reset_to(paragraph)

    def _integrate(self, op: Op) -> None:
        """Apply someone else's op, made on `revision`, to a text that also holds ours."""
        if self._inflight is not None:
            self._inflight, op = (
                text_ops.transform(self._inflight, op, "left"),
                text_ops.transform(op, self._inflight, "right"),
            )
        if self._buffer is not None:
            self._buffer, op = (
                text_ops.transform(self._buffer, op, "left"),
                text_ops.transform(op, self._buffer, "right"),
            )
        self.text = text_ops.apply(self.text, op)
        self.revision += 1
        if self.on_remote_edit is not None:
            self.on_remote_edit(op)

    def _acknowledged(self, command_id: str, done: "asyncio.Future[Ack]") -> None:
        if done.cancelled():
            return
        error = done.exception()
        if command_id != self._inflight_id or self._closed:
            return  # an edit dropped by a reset, or an editor closed meanwhile
        if isinstance(error, CommandRefused):
            if error.code in RETRIED and self._inflight is not None and self._retries < MAX_RETRIES:
                self._retries += 1
                self._send(self._inflight, command_id)
            else:
                self._refused(error)
            return
        if error is not None:
            return  # the LiveReport was closed or failed: nothing more will arrive
        if self._inflight:
            # LiveReport delivers a command's events before its ack, so this means a bug. (An op
            # that others' edits made empty may record nothing: that one is done with.)
            log.error("edit %s acknowledged before its event arrived", command_id)
            self._reset_to(find_paragraph(self.live.report, self.paragraph_id))
            return
        self._inflight = self._inflight_id = None
        buffer, self._buffer = self._buffer, None
        if buffer:
            self._send(buffer)
        else:
            self._idle.set()

    def _refused(self, error: CommandRefused) -> None:
        log.warning("edit of paragraph %s refused, local changes dropped: %s", self.paragraph_id, error)
        self.refusal = error
        self._reset_to(find_paragraph(self.live.report, self.paragraph_id))
        if self.on_refused is not None:
            self.on_refused(error)

    def _reset_to(self, paragraph: Paragraph | None) -> None:
        """Drop what was not committed and start again from the report's paragraph."""
        self._inflight = self._inflight_id = self._buffer = None
        if paragraph is None:
            self.removed = True
        else:
            self.text, self.revision = paragraph.text, paragraph.revision
        self._idle.set()
