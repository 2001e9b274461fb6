/* An open report: kept current from the live WebSocket and laid out like the rendered report
 * (chapters I., II…, sections A., B… afresh in each chapter, paragraphs 1..n through the whole
 * report, sub-items a), b)…), every paragraph editable in place until its chapter is adopted. */
import { h, newId, reconcile } from './dom.js';
import { LiveSession } from './live.js';
import { applyEvent, fromSnapshot, UnknownEvent } from './model.js';
import { ParagraphView, PresenceBoard } from './paragraph.js';
import { Sidebar } from './sidebar.js';
import { HistoryPanel } from './history.js';
import { TimeSlider } from './slider.js';

const ROMAN = [[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];

export function roman(number) {
  let result = '';
  for (const [value, symbol] of ROMAN) {
    while (number >= value) {
      result += symbol;
      number -= value;
    }
  }
  return result;
}

export function letter(number) {
  let letters = '';
  while (number > 0) {
    const remainder = (number - 1) % 26;
    letters = String.fromCharCode(65 + remainder) + letters;
    number = Math.floor((number - 1) / 26);
  }
  return letters;
}

const PRESENCE_DELAY_MS = 80;
const PREVIEW_DELAY_MS = 250;

export class ReportView {
  /** app: {api, drafter, toast(message), setStatus(state, unsent)} */
  constructor(reportId, app) {
    this.reportId = reportId;
    this.app = app;
    this.report = null;
    this.paragraphs = new Map(); // id -> ParagraphView
    this.chapters = new Map(); // id -> chapter elements
    this.sections = new Map();
    this.focusOnArrival = null;
    this.presence = new PresenceBoard((paragraphIds) => this.presenceChanged(paragraphIds));
    this.session = new LiveSession(reportId, app.drafter, {
      onSnapshot: (report) => this.loaded(report),
      onEvent: (event) => this.evolve(event),
      onPresence: (message) => this.presence.seen(message),
      onPresenceLeft: (message) => this.presence.left(message),
      onStatus: () => this.statusChanged(),
      onOpen: () => {
        this.presence.clear(); // the server tells who is there on each connection
        this.presenceChanged(null);
      },
      onFatal: (error) => app.toast(`This report cannot be opened: ${error.message}`),
    });
    this.presence.reporter = this.presenceReporter();
    this.context = {
      session: this.session,
      drafter: app.drafter,
      presence: this.presence,
      toast: app.toast,
      filled: () => this.filled,
      send: (command) => this.send(command),
      onChanged: () => this.statusChanged(),
    };
    this.title = h('h1', { class: 'report-title' });
    this.masthead = h('header', { class: 'masthead' });
    this.body = h('div', { class: 'chapters' });
    const chapterSlot = h('div', { class: 'ask-slot' });
    const newChapter = (title) => this.send({ type: 'AddChapter', chapter_id: newId(), title });
    this.addChapter = h('div', { class: 'add-chapter' }, button('+ Chapter', () => this.ask(chapterSlot, 'Title of the new chapter', newChapter)), chapterSlot);
    this.document = h('article', { class: 'document', 'aria-busy': 'true' }, this.masthead, this.title, this.body, this.addChapter);
    this.history = new HistoryPanel(this);
    this.slider = new TimeSlider(this);
    this.sidebar = new Sidebar(this);
    this.element = h('div', { class: 'report-layout' }, h('div', { class: 'report-main' }, this.slider.element, this.document, this.slider.document), this.sidebar.element);
    this.renderScheduled = false;
    this.previewTimer = null;
  }

  start() {
    this.session.start();
  }

  stop() {
    this.session.stop();
    this.slider.stop();
    this.history.stop();
    clearTimeout(this.previewTimer);
  }

  /** The report on screen: the live one, or the time slider's past version. */
  get shownReport() {
    return this.slider.report ?? this.report;
  }

  send(command) {
    return this.session.send(command).catch((error) => {
      this.app.toast(`${error.message} (${error.code})`);
      throw error;
    });
  }

  get unsent() {
    let buffered = 0;
    for (const view of this.paragraphs.values()) buffered += view.sync.buffer ? 1 : 0;
    return this.session.pending.size + buffered;
  }

  statusChanged() {
    this.app.setStatus(this.session.state, this.unsent);
  }

  loaded(report) {
    this.report = fromSnapshot(report);
    this.filled = new Set(report.fills.map((fill) => fill.placeholder_id));
    this.render();
    this.document.setAttribute('aria-busy', 'false');
    this.schedulePreviews();
    this.history.reload();
  }

  evolve(event) {
    let effect;
    try {
      effect = applyEvent(this.report, event);
    } catch (error) {
      this.app.toast(error instanceof UnknownEvent ? error.message : `The report could not follow event ${event.version}: reload the page`);
      this.session.stop();
      throw error;
    }
    if (event.type === 'PlaceholderFilled') this.filled.add(event.data.placeholder_id);
    if (effect.text) {
      const view = this.paragraphs.get(effect.text.paragraphId);
      view?.serverEdited(effect.text.op, effect.text.actor, event.command_id);
      if (view?.paragraph.listing) this.schedulePreviews();
      this.sidebar.textChanged();
    }
    if (effect.structure) this.scheduleRender();
    if (effect.facts) this.schedulePreviews();
    this.slider.liveEvent(event);
    this.history.eventArrived(event);
    this.statusChanged();
  }

  scheduleRender() {
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    queueMicrotask(() => {
      this.renderScheduled = false;
      this.render();
    });
  }

  render() {
    const report = this.report;
    this.title.textContent = report.title;
    this.drawMasthead();
    let number = 0;
    const seen = new Set();
    const paragraphViews = (paragraphs, locked) =>
      paragraphs.map((paragraph) => {
        number += 1;
        seen.add(paragraph.id);
        let view = this.paragraphs.get(paragraph.id);
        if (!view) {
          view = new ParagraphView(paragraph, this.context);
          view.element.append(this.history.controlFor(paragraph.id));
          this.paragraphs.set(paragraph.id, view);
        }
        view.update(paragraph, number, locked);
        return view.element;
      });
    const chapters = report.chapters.map((chapter, index) => {
      const parts = this.chapterElement(chapter);
      const locked = chapter.adopted || report.adopted;
      parts.number.textContent = `${roman(index + 1)}.`;
      parts.title.textContent = chapter.title;
      parts.element.classList.toggle('adopted', chapter.adopted);
      parts.badge.hidden = !chapter.adopted;
      parts.adopt.hidden = chapter.adopted || report.adopted;
      parts.reopen.hidden = !chapter.adopted || report.adopted;
      for (const b of parts.editing) b.hidden = locked;
      reconcile(parts.paragraphs, paragraphViews(chapter.paragraphs, locked));
      reconcile(parts.sections, chapter.sections.map((section, sectionIndex) => {
        const s = this.sectionElement(chapter, section);
        s.number.textContent = `${letter(sectionIndex + 1)}.`;
        s.title.textContent = section.title;
        s.add.hidden = locked;
        reconcile(s.paragraphs, paragraphViews(section.paragraphs, locked));
        return s.element;
      }));
      return parts.element;
    });
    reconcile(this.body, chapters);
    this.addChapter.hidden = report.adopted;
    forget(this.paragraphs, seen);
    forget(this.chapters, new Set(report.chapters.map((c) => c.id)));
    forget(this.sections, new Set(report.chapters.flatMap((c) => c.sections.map((s) => s.id))));
    if (this.focusOnArrival && this.paragraphs.has(this.focusOnArrival)) {
      this.paragraphs.get(this.focusOnArrival).editor.textarea.focus();
      this.focusOnArrival = null;
    }
    this.sidebar.render();
    this.history.structureChanged();
    this.statusChanged();
  }

  drawMasthead() {
    const details = this.report.details ?? {};
    const lines = [details.symbol && h('p', { class: 'symbol', text: details.symbol }), ...[details.parent_body, details.body].filter(Boolean).map((body) => h('p', { class: 'body', text: body }))];
    this.masthead.replaceChildren(...lines.filter(Boolean));
    this.masthead.hidden = lines.filter(Boolean).length === 0;
  }

  chapterElement(chapter) {
    let parts = this.chapters.get(chapter.id);
    if (parts) return parts;
    const number = h('span', { class: 'number' });
    const title = h('span', { class: 'title' });
    const badge = h('span', { class: 'badge', text: 'Adopted' });
    const slot = h('div', { class: 'ask-slot' });
    const addParagraph = button('+ Paragraph', () => this.newParagraph(chapter.id, null));
    const addSection = button('+ Section', () => this.ask(slot, 'Title of the new section', (t) => this.send({ type: 'AddSection', section_id: newId(), chapter_id: chapter.id, title: t })));
    const adopt = button('Adopt', () => this.send({ type: 'AdoptChapter', chapter_id: chapter.id }).catch(() => {}), 'adopt');
    const reopen = button('Reopen', () => this.ask(slot, 'Why is the chapter reopened?', (reason) => this.send({ type: 'ReopenChapter', chapter_id: chapter.id, reason })), 'reopen');
    const paragraphs = h('div', { class: 'paragraphs' });
    const sections = h('div', { class: 'sections' });
    const heading = h('h2', {}, number, title, badge, h('span', { class: 'actions' }, addParagraph, addSection, adopt, reopen));
    const element = h('section', { class: 'chapter', dataset: { id: chapter.id } }, heading, slot, paragraphs, sections);
    parts = { element, number, title, badge, adopt, reopen, editing: [addParagraph, addSection], paragraphs, sections };
    this.chapters.set(chapter.id, parts);
    return parts;
  }

  sectionElement(chapter, section) {
    let parts = this.sections.get(section.id);
    if (parts) return parts;
    const number = h('span', { class: 'number' });
    const title = h('span', { class: 'title' });
    const add = button('+ Paragraph', () => this.newParagraph(this.chapterOfSection(section.id), section.id));
    const paragraphs = h('div', { class: 'paragraphs' });
    const element = h('section', { class: 'section', dataset: { id: section.id } }, h('h3', {}, number, title, h('span', { class: 'actions' }, add)), paragraphs);
    parts = { element, number, title, add, paragraphs };
    this.sections.set(section.id, parts);
    return parts;
  }

  chapterOfSection(sectionId) {
    return this.report.chapters.find((c) => c.sections.some((s) => s.id === sectionId))?.id;
  }

  newParagraph(chapterId, sectionId) {
    const paragraphId = newId();
    this.focusOnArrival = paragraphId;
    const command = { type: 'AddParagraph', paragraph_id: paragraphId, chapter_id: chapterId, text: '' };
    if (sectionId) command.section_id = sectionId;
    this.send(command).catch(() => {});
  }

  /** A one-line form in `slot`, for a title or a reason. */
  ask(slot, label, submit) {
    const input = h('input', { 'aria-label': label, placeholder: label, required: true });
    const form = h('form', { class: 'ask' }, input, h('button', { type: 'submit', text: 'OK' }), button('Cancel', () => form.remove(), 'quiet'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      form.remove();
      submit(value).catch?.(() => {});
    });
    slot.replaceChildren(form);
    input.focus();
  }

  /** Redraw the paragraphs a drafter left or entered (all of them when unknown). */
  presenceChanged(paragraphIds) {
    if (!this.report) return;
    const views = paragraphIds ? new Set(paragraphIds.filter(Boolean).map((id) => this.paragraphs.get(id))) : this.paragraphs.values();
    for (const view of views) view?.redraw();
    this.sidebar.drawPresence();
  }

  /** Where the drafter is, sent at most every PRESENCE_DELAY_MS; the last one always goes. */
  presenceReporter() {
    let timer = null;
    let latest = null;
    return (paragraphId, cursor) => {
      latest = [paragraphId, cursor];
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        this.session.sendPresence(...latest);
        this.sidebar.drawPresence();
      }, PRESENCE_DELAY_MS);
    };
  }

  numberOf(paragraphId) {
    let number = 0;
    for (const chapter of this.report.chapters) {
      for (const p of [...chapter.paragraphs, ...chapter.sections.flatMap((s) => s.paragraphs)]) {
        number += 1;
        if (p.id === paragraphId) return number;
      }
    }
    return null;
  }

  /** Listing paragraphs show their generated list as the server renders it. */
  schedulePreviews() {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => this.fetchPreviews(), PREVIEW_DELAY_MS);
  }

  async fetchPreviews() {
    const listings = [...this.paragraphs.values()].filter((view) => view.paragraph.listing);
    if (!listings.length) return;
    let html;
    try {
      html = await this.app.api.renderedHtml(this.reportId);
    } catch {
      return; // offline: the next change fetches again
    }
    const rendered = renderedParagraphs(html);
    for (const view of listings) {
      const found = rendered[this.numberOf(view.paragraph.id) - 1];
      // The rendering lists the paragraph's own sub-items last; they are edited below it.
      if (found) view.setPreview({ text: found.text, lines: found.lines.slice(0, found.lines.length - view.paragraph.items.length) });
    }
  }
}

/** The numbered paragraphs of the server's HTML rendering, read as text (never inserted). */
export function renderedParagraphs(html) {
  // Its style sheet is dropped unread: the page's CSP refuses inline styles, even in a parsed copy.
  // (User text in it is escaped, so no « <style » can come from a drafter.)
  const page = new DOMParser().parseFromString(html.replace(/<style>[\s\S]*?<\/style>/, ''), 'text/html');
  const paragraphs = [];
  for (const p of page.querySelectorAll('p.numbered, p.line')) {
    const label = p.querySelector('.number, .label');
    const text = [...p.childNodes].filter((node) => node !== label).map((node) => node.textContent).join('');
    if (p.classList.contains('numbered')) paragraphs.push({ text, lines: [] });
    else if (paragraphs.length) {
      const depth = Number((p.className.match(/depth-(\d)/) ?? [])[1] ?? 1);
      paragraphs[paragraphs.length - 1].lines.push({ label: (label?.textContent ?? '').trim(), text, depth });
    }
  }
  return paragraphs;
}

function forget(views, kept) {
  for (const id of [...views.keys()]) if (!kept.has(id)) views.delete(id);
}

function button(text, onclick, className = '') {
  return h('button', { type: 'button', class: className, text, onclick });
}
