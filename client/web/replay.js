/* The report at a past version, drawn read-only for the time slider: laid out and numbered as
 * the editor lays out the live report, coloured by author as the editor is (when authorship
 * colours are on), and what the version's event changed outlined in its author's colour with
 * their name; in a paragraph's text, what the event inserted is underlined and where it
 * deleted is marked.
 *
 * Each paragraph's element is kept and redrawn only when its text, authors, sub-items or marks
 * differ from the last drawing, so a step redraws one paragraph, not the report. */
import { h, reconcile } from './dom.js';
import { colourOf } from './authorship.js';
import { LIST_MARK } from './model.js';
import { itemLetter } from './paragraph.js';
import { letter, roman } from './report.js';

const SHOWN_MARK = '\u2630'; // the list mark, as the editor shows it

export class ReplayDocument {
  /** paragraphControl(paragraphId): an element put in each paragraph (its « history » control);
   * nameOf(userId): a drafter's display name */
  constructor(paragraphControl, nameOf) {
    this.paragraphControl = paragraphControl;
    this.nameOf = nameOf;
    this.masthead = h('header', { class: 'replay-masthead' });
    this.title = h('h1', { class: 'replay-title' });
    this.heading = h('div', { class: 'replay-heading' }, this.title); // outlined, with the name beside the title
    this.body = h('div', { class: 'replay-chapters' });
    this.tag = h('span', { class: 'change-tag' });
    this.element = h('article', { class: 'document replay-document', hidden: true, 'aria-label': 'The report at a past version (read-only)' },
      this.masthead, this.heading, this.body);
    this.paragraphs = new Map(); // id -> {key, element, number, text, items}
    this.chapters = new Map(); // id -> {element, number, title, badge, paragraphs, sections}
    this.sections = new Map(); // id -> {element, number, title, paragraphs}
    this.changed = null;
    this.order = []; // the paragraphs shown, in reading order
  }

  /** Draw `report` as it was once `event` was applied; `effect` is what applyEvent said it did. */
  show(report, event, effect) {
    this.title.textContent = report.title;
    this.drawMasthead(report.details ?? {});
    const marks = textMarks(effect);
    const seen = { paragraphs: new Set(), chapters: new Set(), sections: new Set() };
    let number = 0;
    this.order = [];
    this.element.classList.add('previews-stale');
    const paragraphs = (list) => list.map((paragraph) => {
      number += 1;
      this.order.push(paragraph);
      seen.paragraphs.add(paragraph.id);
      return this.paragraphElement(paragraph, number, marks?.paragraphId === paragraph.id ? marks : null);
    });
    reconcile(this.body, report.chapters.map((chapter, index) => {
      seen.chapters.add(chapter.id);
      const parts = this.chapterParts(chapter.id);
      parts.number.textContent = `${roman(index + 1)}.`;
      parts.title.textContent = chapter.title;
      parts.badge.hidden = !chapter.adopted;
      parts.element.classList.toggle('adopted', Boolean(chapter.adopted));
      reconcile(parts.paragraphs, paragraphs(chapter.paragraphs));
      reconcile(parts.sections, chapter.sections.map((section, sectionIndex) => {
        seen.sections.add(section.id);
        const s = this.sectionParts(section.id);
        s.number.textContent = `${letter(sectionIndex + 1)}.`;
        s.title.textContent = section.title;
        reconcile(s.paragraphs, paragraphs(section.paragraphs));
        return s.element;
      }));
      return parts.element;
    }));
    forget(this.paragraphs, seen.paragraphs);
    forget(this.chapters, seen.chapters);
    forget(this.sections, seen.sections);
    this.outline(event);
  }

  /** Whether a listing paragraph is shown, whose list only the server's rendering has. */
  get hasListings() {
    return this.order.some((paragraph) => paragraph.listing != null);
  }

  /** The listing paragraphs' lists, from the server's rendering of the version shown
   * (report.js's renderedParagraphs), as the editor shows them. */
  setPreviews(rendered) {
    this.order.forEach((paragraph, index) => {
      const found = rendered[index];
      const entry = this.paragraphs.get(paragraph.id);
      if (!found || !entry || paragraph.listing == null) return;
      // The rendering lists the paragraph's own sub-items last; they are drawn below it.
      const lines = found.lines.slice(0, found.lines.length - paragraph.items.length);
      entry.preview.replaceChildren(
        h('p', { class: 'preview-text', text: found.text }),
        ...lines.map((line) => h('p', { class: `preview-line depth-${line.depth}` }, h('span', { class: 'label', text: line.label }), line.text)),
      );
    });
    this.element.classList.remove('previews-stale');
  }

  /** Display names arrived: the authors' tooltips say them. */
  renamed() {
    for (const span of this.body.querySelectorAll('.author[data-author]')) span.title = this.nameOf(span.dataset.author);
  }

  clear() {
    this.outline(null);
    this.order = [];
    this.body.replaceChildren();
    this.paragraphs.clear();
    this.chapters.clear();
    this.sections.clear();
  }

  drawMasthead(details) {
    const lines = [details.symbol && h('p', { class: 'symbol', text: details.symbol }), ...[details.parent_body, details.body].filter(Boolean).map((body) => h('p', { class: 'body', text: body }))].filter(Boolean);
    this.masthead.replaceChildren(...lines);
    this.masthead.hidden = lines.length === 0;
  }

  chapterParts(id) {
    let parts = this.chapters.get(id);
    if (parts) return parts;
    const number = h('span', { class: 'number' });
    const title = h('span', { class: 'title' });
    const badge = h('span', { class: 'badge', text: 'Adopted' });
    const paragraphs = h('div', { class: 'paragraphs' });
    const sections = h('div', { class: 'sections' });
    const element = h('section', { class: 'replay-chapter', dataset: { id } }, h('h2', {}, number, title, badge), paragraphs, sections);
    parts = { element, number, title, badge, paragraphs, sections };
    this.chapters.set(id, parts);
    return parts;
  }

  sectionParts(id) {
    let parts = this.sections.get(id);
    if (parts) return parts;
    const number = h('span', { class: 'number' });
    const title = h('span', { class: 'title' });
    const paragraphs = h('div', { class: 'paragraphs' });
    const element = h('section', { class: 'replay-section', dataset: { id } }, h('h3', {}, number, title), paragraphs);
    parts = { element, number, title, paragraphs };
    this.sections.set(id, parts);
    return parts;
  }

  paragraphElement(paragraph, number, marks) {
    let entry = this.paragraphs.get(paragraph.id);
    if (!entry) {
      const text = h('div', { class: 'replay-text' });
      const items = h('ol', { class: 'replay-items' });
      const preview = h('div', { class: 'listing-preview', hidden: paragraph.listing == null });
      const numberElement = h('span', { class: 'number' });
      const element = h('div', { class: 'replay-paragraph', dataset: { id: paragraph.id } }, numberElement, h('div', { class: 'body' }, text, preview, items), this.paragraphControl(paragraph.id));
      entry = { key: null, element, number: numberElement, text, preview, items };
      this.paragraphs.set(paragraph.id, entry);
    }
    entry.number.textContent = `${number}.`;
    entry.element.classList.toggle('recommendation', Boolean(paragraph.recommendation));
    entry.element.classList.toggle('listing', paragraph.listing != null);
    const key = JSON.stringify([paragraph.text, paragraph.authors, paragraph.items, marks && [marks.inserted, marks.deleted]]);
    if (entry.key !== key) {
      entry.key = key;
      entry.text.replaceChildren(...textPieces(paragraph.text, paragraph.authors, marks, this.nameOf));
      entry.items.replaceChildren(...paragraph.items.map((item, index) => h('li', { dataset: { id: item.id } }, h('span', { class: 'label', text: `${itemLetter(index + 1)})` }), h('span', { class: 'item-text', text: item.text }))));
    }
    return entry.element;
  }

  /** Outline what `event` changed, in its author's colour, with their name. */
  outline(event) {
    this.changed?.classList.remove('changed');
    this.tag.remove();
    this.changed = event ? this.targetOf(event) : null;
    if (!this.changed) return;
    this.changed.classList.add('changed');
    this.changed.style.setProperty('--change', colourOf(event.actor, 40));
    this.tag.textContent = this.nameOf(event.actor);
    this.tag.dataset.actor = event.actor;
    this.changed.append(this.tag);
  }

  /** The element `event` changed, if it is on the page: its paragraph, section or chapter, the
   * title or the masthead. Facts (agenda, statements…) and removals outline nothing. */
  targetOf(event) {
    if (event.type === 'ReportCreated' || event.type === 'ReportRetitled') return this.heading;
    if (event.type === 'ReportDetailsChanged') return this.masthead.hidden ? null : this.masthead;
    const data = event.data ?? {};
    return this.paragraphs.get(data.paragraph_id)?.element ?? this.sections.get(data.section_id)?.element ?? this.chapters.get(data.chapter_id)?.element ?? null;
  }
}

/** Where a text operation inserted (ranges) and deleted (positions), in code points of the
 * text after it. */
function textMarks(effect) {
  const change = effect?.text;
  if (!change) return null;
  const inserted = [];
  const deleted = [];
  let position = 0;
  for (const component of change.op) {
    if (typeof component === 'number') position += component;
    else if (typeof component === 'string') {
      const length = Array.from(component).length;
      inserted.push([position, position + length]);
      position += length;
    } else deleted.push(position);
  }
  return { paragraphId: change.paragraphId, inserted, deleted };
}

/** The text as spans: one per stretch with the same author and the same marks. The cuts are
 * visited in order, so the author runs and the inserted ranges are each walked once. */
function textPieces(text, authors, marks, nameOf) {
  const characters = Array.from(text);
  const cuts = new Set([0, characters.length]);
  const runs = [];
  let at = 0;
  for (const [drafter, length] of authors) {
    runs.push({ end: at + length, drafter });
    cuts.add(at);
    at += length;
  }
  const inserted = marks?.inserted ?? [];
  const deleted = new Set(marks?.deleted ?? []);
  for (const [start, end] of inserted) cuts.add(start).add(end);
  for (const position of deleted) cuts.add(position);
  characters.forEach((character, index) => {
    if (character === LIST_MARK) cuts.add(index).add(index + 1);
  });
  const points = [...cuts].filter((point) => point <= characters.length).sort((a, b) => a - b);
  const pieces = [];
  let run = 0;
  let insertion = 0;
  points.forEach((start, index) => {
    if (deleted.has(start)) pieces.push(h('span', { class: 'deletion', title: 'deleted here' }));
    const end = points[index + 1];
    if (end === undefined || end === start) return;
    const piece = characters.slice(start, end).join('');
    const span = h('span', {}, piece === LIST_MARK ? SHOWN_MARK : piece);
    while (run < runs.length && runs[run].end <= start) run += 1;
    const drafter = runs[run]?.drafter;
    if (drafter) {
      span.className = 'author';
      span.dataset.author = drafter;
      span.title = nameOf(drafter);
      span.style.setProperty('--author', colourOf(drafter));
    }
    while (insertion < inserted.length && inserted[insertion][1] <= start) insertion += 1;
    if (insertion < inserted.length && inserted[insertion][0] <= start) span.classList.add('inserted');
    if (piece === LIST_MARK) span.classList.add('list-mark');
    pieces.push(span);
  });
  return pieces;
}

function forget(entries, kept) {
  for (const id of [...entries.keys()]) if (!kept.has(id)) entries.delete(id);
}
