/* Co-editing one paragraph's text: the standard ShareDB / ot.js client.
 *
 * At most ONE operation is in flight (sent as EditParagraphText on the revision it was made
 * on); whatever the drafter types meanwhile is composed into a buffer, sent when the first is
 * committed. An operation from someone else is transformed past the in-flight and buffered
 * ones (theirs were committed first, so ours go on the "left" as the server puts them), and the
 * drafter's local text moves by the result. The drafter never waits on the network.
 *
 * Invariant: local text == apply(server text, compose(in flight, buffer)), where the server
 * text is the model's paragraph text, folded from the events. */
import { apply, compose, transform } from './ot.js';
import { applyToRuns } from './authorship.js';
import { newId } from './dom.js';

export class ParagraphSync {
  /** view: {applyRemote(op), replace(text), refused(error)} */
  constructor(paragraph, { session, drafter, view }) {
    this.paragraph = paragraph;
    this.session = session;
    this.drafter = drafter;
    this.view = view;
    this.local = paragraph.text;
    this.localAuthors = paragraph.authors.map(([a, n]) => [a, n]);
    this.inflight = null; // {commandId, ops}: ops as transformed since it was sent
    this.buffer = null;
  }

  /** The drafter changed the local text by `op`. */
  edited(op, text) {
    this.local = text;
    this.localAuthors = applyToRuns(this.localAuthors, op, this.drafter);
    if (this.inflight) this.buffer = this.buffer ? compose(this.buffer, op) : op;
    else this.send(op);
  }

  send(ops) {
    const commandId = newId();
    this.inflight = { commandId, ops };
    const command = { type: 'EditParagraphText', paragraph_id: this.paragraph.id, base_revision: this.paragraph.revision, ops };
    this.session.send(command, commandId).then(
      () => this.committed(commandId),
      (error) => this.refused(commandId, error),
    );
  }

  /** The model folded a text event into the paragraph; `op` is what it did to the server text. */
  serverEdited(op, actor, commandId) {
    if (this.inflight && commandId === this.inflight.commandId) {
      this.committed(commandId); // our own edit, already in the local text
      return;
    }
    let theirs = op;
    for (const slot of ['inflight', 'buffer']) {
      const ours = slot === 'inflight' ? this.inflight?.ops : this.buffer;
      if (!ours) continue;
      const oursAfter = transform(ours, theirs, 'left');
      theirs = transform(theirs, ours, 'right');
      if (slot === 'inflight') this.inflight.ops = oursAfter;
      else this.buffer = oursAfter;
    }
    this.local = apply(this.local, theirs);
    this.localAuthors = applyToRuns(this.localAuthors, theirs, actor);
    this.view.applyRemote(theirs);
  }

  /** Our in-flight edit is in the server text (its event arrived, or its ack): send the buffer. */
  committed(commandId) {
    if (!this.inflight || this.inflight.commandId !== commandId) return;
    this.inflight = null;
    this.verify();
    const buffer = this.buffer;
    this.buffer = null;
    if (buffer) this.send(buffer);
  }

  /** A safety net that should never fire: the local text must be the server's plus the buffer. */
  verify() {
    let expected;
    try {
      expected = this.buffer ? apply(this.paragraph.text, this.buffer) : this.paragraph.text;
    } catch {
      expected = this.paragraph.text;
      this.buffer = null;
    }
    if (expected !== this.local) {
      console.warn('paragraph %s diverged from the server; taking its text', this.paragraph.id);
      this.local = expected;
      this.localAuthors = this.paragraph.authors.map(([a, n]) => [a, n]);
      this.view.replace(expected);
    }
  }

  /** The server refused the edit (the chapter was adopted meanwhile, …): back to its text. */
  refused(commandId, error) {
    if (!this.inflight || this.inflight.commandId !== commandId) return;
    this.inflight = null;
    this.buffer = null;
    this.local = this.paragraph.text;
    this.localAuthors = this.paragraph.authors.map(([a, n]) => [a, n]);
    this.view.replace(this.local);
    this.view.refused(error);
  }
}
