/* A paragraph's text, edited in place: a plain <textarea> over a backdrop that draws, behind
 * the same characters laid out the same way, what a textarea cannot show: who wrote what,
 * the placeholders still to fill, the list mark and other drafters' carets.
 *
 * Each change the drafter makes becomes one operation (the single span that changed between
 * the old and the new value, in code points); remote operations are applied to the value with
 * the caret and selection carried across them, so typing never waits and never jumps. */
import { apply, normalize, transformPosition } from './ot.js';
import { cpToCu, cuToCp } from './textpos.js';
import { colourOf } from './authorship.js';
import { LIST_MARK } from './model.js';
import { h } from './dom.js';

const isHigh = (unit) => unit >= 0xd800 && unit < 0xdc00;
const isLow = (unit) => unit >= 0xdc00 && unit < 0xe000;

/** The op turning `before` into `after` (UTF-16 strings), as one changed span. `caret`, the
 * caret after the change, picks among equivalent spans the one the drafter really typed
 * (typing « a » after the first « a » of « aa » inserts at 1, not at 2). */
export function diffOp(before, after, caret = null) {
  const shortest = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shortest && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  if (prefix > 0 && isHigh(after.charCodeAt(prefix - 1))) prefix--; // never split a surrogate pair
  let suffix = 0;
  while (suffix < shortest - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  if (suffix > 0 && isLow(after.charCodeAt(after.length - suffix))) suffix--;
  const inserted = after.length - suffix - prefix;
  const deleted = before.length - suffix - prefix;
  if (caret !== null) {
    const start = caret - inserted; // where the span starts if it ends at the caret
    if (start >= 0 && start < prefix && !isLow(after.charCodeAt(start))
        && before.slice(start + deleted) === after.slice(start + inserted)) prefix = start;
  }
  const removed = before.slice(prefix, prefix + deleted);
  const added = after.slice(prefix, prefix + inserted);
  return normalize([cuToCp(before, prefix), ...(removed ? [{ d: cuToCp(removed, removed.length) }] : []), ...(added ? [added] : [])]);
}

// The list mark U+FFFC has no glyph in most fonts: the textarea shows it as ☰, one UTF-16 unit
// too, so offsets are the same in the textarea and in the text.
const SHOWN_MARK = '\u2630';

/** A paragraph is one line; only a listing paragraph holds the list mark, exactly once. */
function sanitized(value, listing) {
  let text = value.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
  if (!listing) text = text.replaceAll(LIST_MARK, '');
  return text;
}

export class ParagraphEditor {
  /** callbacks: onEdit(op, text), onCaret(cursorCp | null), onPlaceholder(placeholder | null):
   * the placeholder clicked into, or null for a click elsewhere */
  constructor(text, { listing, callbacks }) {
    this.value = text;
    this.listing = listing;
    this.callbacks = callbacks;
    this.decorations = { authors: [], placeholders: [], carets: [] };
    this.backdrop = h('div', { class: 'backdrop', 'aria-hidden': 'true' });
    this.textarea = h('textarea', { class: 'text', rows: 1, spellcheck: 'true', 'aria-label': 'Paragraph text' });
    this.textarea.value = this.shown(text);
    this.element = h('div', { class: 'editor' }, this.backdrop, this.textarea);
    this.textarea.addEventListener('input', () => this.input());
    this.textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') event.preventDefault(); // a paragraph is one line
    });
    for (const type of ['focus', 'select', 'keyup', 'mouseup']) this.textarea.addEventListener(type, () => this.caretMoved());
    this.textarea.addEventListener('blur', () => this.callbacks.onCaret(null));
    this.textarea.addEventListener('click', () => this.clicked());
    this.draw();
  }

  /** The text as the textarea shows it, and back. */
  shown(text) {
    return this.listing ? text.replaceAll(LIST_MARK, SHOWN_MARK) : text;
  }

  unshown(value) {
    return this.listing ? value.replaceAll(SHOWN_MARK, LIST_MARK) : value;
  }

  get focused() {
    return document.activeElement === this.textarea;
  }

  setReadOnly(readOnly) {
    this.textarea.readOnly = readOnly;
  }

  /** The caret as the server counts, in code points. */
  caret() {
    return cuToCp(this.value, Math.min(this.textarea.selectionEnd, this.value.length));
  }

  input() {
    const textarea = this.textarea;
    const before = this.value;
    const typed = this.unshown(textarea.value);
    let after = sanitized(typed, this.listing);
    let caret = textarea.selectionEnd;
    if (this.listing && after.split(LIST_MARK).length !== before.split(LIST_MARK).length) {
      after = before; // the list stays: the drafter edits the words around it
      caret = null;
    }
    if (after !== typed) {
      const fromEnd = textarea.value.length - textarea.selectionEnd;
      textarea.value = this.shown(after);
      const position = Math.max(0, after.length - fromEnd);
      textarea.setSelectionRange(position, position);
      if (caret !== null) caret = position;
    }
    const op = diffOp(before, after, caret);
    this.value = after;
    if (op.length) this.callbacks.onEdit(op, after);
    this.caretMoved();
  }

  /** Someone else's operation: apply it and carry the selection across it. */
  applyRemote(op) {
    const textarea = this.textarea;
    const before = this.value;
    const start = cuToCp(before, textarea.selectionStart);
    const end = cuToCp(before, textarea.selectionEnd);
    const direction = textarea.selectionDirection;
    const after = apply(before, op);
    textarea.value = this.shown(after);
    this.value = after;
    textarea.setSelectionRange(cpToCu(after, transformPosition(start, op)), cpToCu(after, transformPosition(end, op)), direction);
    this.caretMoved(); // the caret kept its place in the text, but its offset changed
  }

  /** The whole text replaced (a refused edit rolled back): the caret stays where it was, if it fits. */
  replace(text) {
    const caret = this.textarea.selectionEnd;
    this.textarea.value = this.shown(text);
    this.value = text;
    const position = Math.min(caret, text.length);
    this.textarea.setSelectionRange(position, position);
  }

  caretMoved() {
    if (this.focused) this.callbacks.onCaret(this.caret());
  }

  clicked() {
    const at = this.textarea.selectionStart;
    if (this.textarea.readOnly || at !== this.textarea.selectionEnd) return;
    this.callbacks.onPlaceholder(this.decorations.placeholders.find((p) => p.start < at && at < p.end) ?? null);
  }

  /** authors: [[drafter id, length in code points]]; placeholders: [{start, end}] in UTF-16
   * units; carets: [{drafter (id: the colour), name (the label), cursor in code points}]. */
  decorate(decorations) {
    this.decorations = decorations;
    this.draw();
  }

  draw() {
    const text = this.value;
    const { authors, placeholders, carets } = this.decorations;
    const cuts = new Set([0, text.length]);
    const total = cuToCp(text, text.length);
    const at = (cp) => cpToCu(text, Math.min(cp, total));
    const runs = [];
    let cp = 0;
    for (const [drafter, length] of authors) {
      const start = at(cp);
      cp += length;
      const end = at(cp);
      runs.push({ start, end, drafter });
      cuts.add(start).add(end);
    }
    for (const p of placeholders) cuts.add(p.start).add(p.end);
    let mark = text.indexOf(LIST_MARK);
    while (mark >= 0) {
      cuts.add(mark).add(mark + 1);
      mark = text.indexOf(LIST_MARK, mark + 1);
    }
    const caretsAt = new Map();
    for (const caret of carets) {
      const position = at(caret.cursor ?? 0);
      cuts.add(position);
      caretsAt.set(position, [...(caretsAt.get(position) ?? []), caret]);
    }
    const points = [...cuts].filter((x) => x <= text.length).sort((a, b) => a - b);
    const pieces = [];
    for (let i = 0; i < points.length; i++) {
      const start = points[i];
      for (const caret of caretsAt.get(start) ?? []) pieces.push(caretMark(caret));
      const end = points[i + 1];
      if (end === undefined || end === start) continue;
      const piece = text.slice(start, end);
      pieces.push(segment(this.shown(piece), piece === LIST_MARK, start, runs, placeholders));
    }
    pieces.push('\u200b'); // keeps a last empty line as tall as the textarea's
    this.backdrop.replaceChildren(...pieces);
  }
}

function segment(piece, isMark, start, runs, placeholders) {
  const span = h('span', {}, piece);
  const run = runs.find((r) => r.start <= start && start < r.end);
  if (run && run.drafter) {
    span.classList.add('author');
    span.style.setProperty('--author', colourOf(run.drafter));
  }
  if (placeholders.some((p) => p.start <= start && start < p.end)) span.classList.add('placeholder');
  if (isMark) span.classList.add('list-mark');
  return span;
}

/** Another drafter's caret, labelled with their name (CSS draws `data-name`, as text). */
function caretMark(caret) {
  const mark = h('span', { class: 'remote-caret', dataset: { drafter: caret.drafter, name: caret.name || caret.drafter } });
  mark.style.setProperty('--author', colourOf(caret.drafter, 45));
  return mark;
}
