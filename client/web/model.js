/* The report as the browser keeps it: the snapshot from the live WebSocket, folded forward
 * with each event, as events/evolve.py does on the server. Numbers (I, A, 1, a)) are never
 * stored: the view computes them from order.
 *
 * `applyEvent` changes the report in place and says what changed, so that the view redraws
 * only that: `{text: {paragraphId, op, actor}}` for a paragraph's text (an ot-text-unicode
 * op on the text the server had), `{structure: true}` for anything else that is drawn,
 * `{facts: true}` for the meeting's facts that listing paragraphs show. */
import { apply, normalize, replacement } from './ot.js';
import { applyToRuns, writtenBy } from './authorship.js';

export const LIST_MARK = '\ufffc';

export class UnknownEvent extends Error {}

/** The snapshot's report, with the defaults msgspec would leave out filled in. */
export function fromSnapshot(report) {
  for (const chapter of report.chapters) {
    chapter.paragraphs.forEach(paragraphFromSnapshot);
    chapter.sections ??= [];
    for (const section of chapter.sections) section.paragraphs.forEach(paragraphFromSnapshot);
  }
  for (const name of ['agenda', 'statements', 'participants', 'panellists', 'documents', 'fills']) report[name] ??= [];
  return report;
}

function paragraphFromSnapshot(paragraph) {
  paragraph.items ??= [];
  paragraph.revision ??= 0;
  paragraph.authors ??= writtenBy('', Array.from(paragraph.text).length);
  delete paragraph.recent_ops; // the server transforms; the browser never needs past ops
}

function newParagraph(id, text, author, extra = {}) {
  return { id, text, items: [], listing: null, recommendation: false, revision: 0, authors: writtenBy(author, Array.from(text).length), ...extra };
}

function insert(items, item, before) {
  const index = before == null ? -1 : items.findIndex((existing) => existing.id === before);
  if (index < 0) items.push(item);
  else items.splice(index, 0, item);
}

function remove(items, id) {
  const index = items.findIndex((item) => item.id === id);
  return index < 0 ? null : items.splice(index, 1)[0];
}

const find = (items, id) => items.find((item) => item.id === id);

/** Every list of paragraphs: each chapter's own, then each of its sections'. */
function paragraphLists(report) {
  return report.chapters.flatMap((chapter) => [chapter.paragraphs, ...chapter.sections.map((s) => s.paragraphs)]);
}

export function allParagraphs(report) {
  return paragraphLists(report).flat();
}

function findParagraph(report, id) {
  for (const chapter of report.chapters) {
    for (const list of [chapter.paragraphs, ...chapter.sections.map((s) => s.paragraphs)]) {
      const paragraph = find(list, id);
      if (paragraph) return { chapter, paragraph };
    }
  }
  return null;
}

function paragraphList(report, chapterId, sectionId) {
  const chapter = find(report.chapters, chapterId);
  return sectionId == null ? chapter.paragraphs : find(chapter.sections, sectionId).paragraphs;
}

function findSection(report, id) {
  for (const chapter of report.chapters) {
    const section = find(chapter.sections, id);
    if (section) return { chapter, section };
  }
  return null;
}

function findAgendaItem(report, id) {
  for (const item of report.agenda) {
    if (item.id === id) return item;
    const sub = find(item.sub_items, id);
    if (sub) return sub;
  }
  return null;
}

/** The one way a paragraph's text changes, as on the server: an op that raises its revision
 * and moves its authorship. */
function edit(report, paragraphId, opOf, actor) {
  const { paragraph } = findParagraph(report, paragraphId);
  const op = opOf(paragraph);
  paragraph.text = apply(paragraph.text, op);
  paragraph.revision += 1;
  paragraph.authors = applyToRuns(paragraph.authors, op, actor);
  return { text: { paragraphId, op, actor } };
}

const STRUCTURE = { structure: true };
const FACTS = { structure: true, facts: true };

const STEPS = {
  ReportRetitled: (r, e) => { r.title = e.title; return STRUCTURE; },
  ReportDetailsChanged: (r, e) => { r.details = e.details; return FACTS; },
  ChapterAdded: (r, e) => { insert(r.chapters, { id: e.chapter_id, title: e.title, paragraphs: [], sections: [], adopted: false }, e.before); return FACTS; },
  ChapterRetitled: (r, e) => { find(r.chapters, e.chapter_id).title = e.title; return STRUCTURE; },
  ChapterMoved: (r, e) => { insert(r.chapters, remove(r.chapters, e.chapter_id), e.before); return FACTS; },
  ChapterRemoved: (r, e) => { remove(r.chapters, e.chapter_id); return FACTS; },
  SectionAdded: (r, e) => { insert(find(r.chapters, e.chapter_id).sections, { id: e.section_id, title: e.title, paragraphs: [] }, e.before); return STRUCTURE; },
  SectionRetitled: (r, e) => { findSection(r, e.section_id).section.title = e.title; return STRUCTURE; },
  SectionMoved: (r, e) => {
    const { chapter, section } = findSection(r, e.section_id);
    remove(chapter.sections, e.section_id);
    insert(find(r.chapters, e.chapter_id).sections, section, e.before);
    return STRUCTURE;
  },
  SectionRemoved: (r, e) => { remove(findSection(r, e.section_id).chapter.sections, e.section_id); return STRUCTURE; },
  ParagraphAdded: (r, e, actor) => {
    const text = e.listing == null || e.text.includes(LIST_MARK) ? e.text : e.text + LIST_MARK;
    insert(paragraphList(r, e.chapter_id, e.section_id), newParagraph(e.paragraph_id, text, actor, { listing: e.listing }), e.before);
    return FACTS;
  },
  RecommendationAdded: (r, e, actor) => {
    insert(paragraphList(r, e.chapter_id, e.section_id), newParagraph(e.paragraph_id, e.text, actor, { recommendation: true }), e.before);
    return STRUCTURE;
  },
  ParagraphTextReplaced: (r, e, actor) => edit(r, e.paragraph_id, (p) => replacement(p.text, e.text), actor),
  ParagraphTextEdited: (r, e, actor) => edit(r, e.paragraph_id, () => e.ops, actor),
  PlaceholderFilled: (r, e, actor) => {
    const op = normalize([e.start, { d: Array.from(e.original).length }, ...(e.value ? [e.value] : [])]);
    r.fills.push({ placeholder_id: e.placeholder_id, paragraph_id: e.paragraph_id, original: e.original, value: e.value });
    return edit(r, e.paragraph_id, () => op, actor);
  },
  ParagraphMoved: (r, e) => {
    const { paragraph } = findParagraph(r, e.paragraph_id);
    for (const list of paragraphLists(r)) remove(list, e.paragraph_id);
    insert(paragraphList(r, e.chapter_id, e.section_id), paragraph, e.before);
    return FACTS;
  },
  ParagraphRemoved: (r, e) => { for (const list of paragraphLists(r)) remove(list, e.paragraph_id); return FACTS; },
  SubItemAdded: (r, e) => { insert(findParagraph(r, e.paragraph_id).paragraph.items, { id: e.sub_item_id, text: e.text }, e.before); return STRUCTURE; },
  SubItemTextReplaced: (r, e) => { find(findParagraph(r, e.paragraph_id).paragraph.items, e.sub_item_id).text = e.text; return STRUCTURE; },
  SubItemMoved: (r, e) => {
    const items = findParagraph(r, e.paragraph_id).paragraph.items;
    insert(items, remove(items, e.sub_item_id), e.before);
    return STRUCTURE;
  },
  SubItemRemoved: (r, e) => { remove(findParagraph(r, e.paragraph_id).paragraph.items, e.sub_item_id); return STRUCTURE; },
  AgendaItemAdded: (r, e) => {
    const item = { id: e.agenda_item_id, title: e.title, sub_items: [] };
    insert(e.parent_id == null ? r.agenda : find(r.agenda, e.parent_id).sub_items, item, e.before);
    return FACTS;
  },
  AgendaItemRetitled: (r, e) => { findAgendaItem(r, e.agenda_item_id).title = e.title; return FACTS; },
  AgendaItemRemoved: (r, e) => {
    remove(r.agenda, e.agenda_item_id);
    for (const item of r.agenda) remove(item.sub_items, e.agenda_item_id);
    return FACTS;
  },
  StatementRecorded: (r, e) => {
    r.statements.push({ id: e.statement_id, agenda_item_id: e.agenda_item_id, category: e.category, delegation: e.delegation, person: e.person });
    return FACTS;
  },
  StatementWithdrawn: (r, e) => { remove(r.statements, e.statement_id); return FACTS; },
  ParticipantAdded: (r, e) => { r.participants.push({ id: e.participant_id, category: e.category, name: e.name }); return FACTS; },
  ParticipantRemoved: (r, e) => { remove(r.participants, e.participant_id); return FACTS; },
  PanellistAdded: (r, e) => {
    r.panellists.push({ id: e.panellist_id, agenda_item_id: e.agenda_item_id, name: e.name, delegation: e.delegation });
    return FACTS;
  },
  PanellistRemoved: (r, e) => { remove(r.panellists, e.panellist_id); return FACTS; },
  DocumentAdded: (r, e) => { r.documents.push({ id: e.document_id, symbol: e.symbol, title: e.title }); return FACTS; },
  DocumentRemoved: (r, e) => { remove(r.documents, e.document_id); return FACTS; },
  ChapterAdopted: (r, e) => { find(r.chapters, e.chapter_id).adopted = true; return FACTS; },
  ChapterReopened: (r, e) => { find(r.chapters, e.chapter_id).adopted = false; return FACTS; },
  ReportAdopted: (r, e) => { r.adopted = true; r.ad_referendum = e.ad_referendum; return STRUCTURE; },
};

/** Fold one stored event into the report. Throws UnknownEvent for a type this code does not
 * know (newer server): the caller reloads rather than guess. */
export function applyEvent(report, event) {
  const step = STEPS[event.type];
  if (!step) throw new UnknownEvent(`this editor does not know the event ${event.type}; reload the page`);
  return step(report, event.data, event.actor);
}
