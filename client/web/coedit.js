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

// Refusals that say "not now" rather than "never", as in client/coediting.py: the edit in
// flight, already transformed past every edit received since, is sent again made on the
// paragraph's revision, under the same command id so that it still takes effect at most once.
// `revision_too_old`: made too many revisions ago to merge (the server merges an edit only
// within a budget); `version_conflict`: the server lost too many races for the report.
export const RETRIED = new Set(['revision_too_old', 'version_conflict']);
export const MAX_RETRIES = 20;

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
    this.retries = 0; // of the edit in flight
  }

  /** The drafter changed the local text by `op`. */
  edited(op, text) {
    this.local = text;
    this.localAuthors = applyToRuns(this.localAuthors, op, this.drafter);
    if (this.inflight) this.buffer = this.buffer ? compose(this.buffer, op) : op;
    else this.send(op);
  }

  send(ops, commandId = newId()) {
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
    this.retries = 0;
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

  /** The server refused the edit: sent again if it said "not now" (RETRIED); otherwise (the
   * chapter was adopted meanwhile, …) back to the server's text. */
  refused(commandId, error) {
    if (!this.inflight || this.inflight.commandId !== commandId) return;
    if (RETRIED.has(error.code) && this.retries < MAX_RETRIES) {
      this.retries += 1;
      this.send(this.inflight.ops, commandId);
      return;
    }
    this.inflight = null;
    this.retries = 0;
    this.buffer = null;
    this.local = this.paragraph.text;
    this.localAuthors = this.paragraph.authors.map(([a, n]) => [a, n]);
    this.view.replace(this.local);
    this.view.refused(error);
  }
}
