/* An open report: kept current from the live WebSocket and laid out like the rendered report
 * (chapters I., II…, sections A., B… afresh in each chapter, paragraphs 1..n through the whole
 * report, sub-items a), b)…), every paragraph editable in place until its chapter is adopted.
 *
 * What the page offers follows the signed-in user's role in this report (GET /api/me?report=):
 * a viewer reads, a drafter also edits, a chair also adopts and reopens chapters and adopts the
 * report. The server checks every command anyway: a `forbidden` refusal is said in a toast, a
 * refused edit goes back to the server's text, and the role is read again (it may have changed). */
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

const MAY_DRAFT = new Set(['drafter', 'chair', 'admin']);
const MAY_CHAIR = new Set(['chair', 'admin']);
const PRESENCE_DELAY_MS = 80;
const PREVIEW_DELAY_MS = 250;

export class ReportView {
  /** app: {api, me: {id, name, role}, people (people.js), toast(message),
   * setStatus(state, unsent), signedOut()} */
  constructor(reportId, app) {
    this.reportId = reportId;
    this.app = app;
    this.report = null;
    this.role = null; // the user's role in this report, once read
    this.roleRead = false; // asked once (read or not): the page may be shown
    this.roleQuery = 0;
    this.opened = false;
    this.paragraphs = new Map(); // id -> ParagraphView
    this.chapters = new Map(); // id -> chapter elements
    this.sections = new Map();
    this.focusOnArrival = null;
    this.presence = new PresenceBoard((paragraphIds) => this.presenceChanged(paragraphIds));
    this.session = new LiveSession(reportId, {
      onSnapshot: (report) => this.loaded(report),
      onEvent: (event) => this.evolve(event),
      onPresence: (message) => {
        app.people.learn(message.drafter, message.name);
        this.presence.seen(message);
      },
      onPresenceLeft: (message) => this.presence.left(message),
      onStatus: () => this.statusChanged(),
      onOpen: () => {
        this.presence.clear(); // the server tells who is there on each connection
        this.presenceChanged(null);
        if (this.opened) this.readRole(); // back after a drop: the role may have changed meanwhile
        this.opened = true;
      },
      onFatal: (error) => {
        if (error.code === 'unauthenticated') app.signedOut();
        else app.toast(`This report cannot be opened: ${error.message}`);
      },
    });
    this.presence.reporter = this.presenceReporter();
    this.context = {
      session: this.session,
      drafter: app.me.id,
      people: app.people,
      presence: this.presence,
      toast: app.toast,
      filled: () => this.filled,
      send: (command) => this.send(command),
      refused: (error) => this.refused(error),
      onChanged: () => this.statusChanged(),
    };
    this.title = h('h1', { class: 'report-title' });
    this.masthead = h('header', { class: 'masthead' });
    this.body = h('div', { class: 'chapters' });
    const chapterSlot = h('div', { class: 'ask-slot' });
    const newChapter = (title) => this.send({ type: 'AddChapter', chapter_id: newId(), title });
    this.addChapter = h('div', { class: 'add-chapter' }, button('+ Chapter', () => this.ask(chapterSlot, 'Title of the new chapter', newChapter)), chapterSlot);
    this.roleNote = h('p', { class: 'role-note', role: 'note', hidden: true });
    this.adoption = this.adoptionElement();
    this.document = h('article', { class: 'document', 'aria-busy': 'true' }, this.roleNote, this.masthead, this.title, this.body, this.addChapter, this.adoption.element);
    this.history = new HistoryPanel(this);
    this.slider = new TimeSlider(this);
    this.sidebar = new Sidebar(this);
    this.element = h('div', { class: 'report-layout' }, h('div', { class: 'report-main' }, this.slider.element, this.document, this.slider.document), this.sidebar.element);
    this.renderScheduled = false;
    this.previewTimer = null;
    this.stopWatchingNames = app.people.onChange(() => this.namesChanged());
  }

  start() {
    this.session.start();
    this.readRole();
  }

  stop() {
    this.session.stop();
    this.slider.stop();
    this.history.stop();
    this.stopWatchingNames();
    this.roleQuery += 1;
    clearTimeout(this.previewTimer);
  }

  /** Whether the signed-in user may edit the report, and give the chair's commands. Until
   * the role is read, neither: the page never offers what the server would refuse. */
  get mayDraft() {
    return MAY_DRAFT.has(this.role);
  }

  get mayChair() {
    return MAY_CHAIR.has(this.role);
  }

  /** Ask for the user's role in this report, and lay the page out for it. */
  async readRole() {
    const query = ++this.roleQuery;
    let role = null;
    try {
      ({ report_role: role } = await this.app.api.me(this.reportId));
    } catch (error) {
      if (query !== this.roleQuery || error.status === 401) return;
      if (error.code !== 'unknown_report') this.app.toast(`Your role in this report cannot be read (${error.message}): it stays read-only for now`);
      role = this.role;
    }
    if (query !== this.roleQuery) return;
    const changed = role !== this.role || !this.roleRead;
    this.role = role;
    this.roleRead = true;
    if (changed) this.roleChanged();
  }

  roleChanged() {
    this.element.dataset.role = this.role ?? 'unknown';
    const note = this.role === null ? 'Read-only: your role in this report is not known yet.'
      : this.mayDraft ? null : `Read-only: you are a ${this.role} in this report.`;
    this.roleNote.textContent = note ?? '';
    this.roleNote.hidden = note === null;
    if (this.report) this.render();
    this.showWhenReady();
  }

  /** The report is shown once both it and the role are known, so that no control appears
   * and then goes away. */
  showWhenReady() {
    if (this.report && this.roleRead) this.document.setAttribute('aria-busy', 'false');
  }

  /** The server refused a command: say why (send and the paragraph's edit already did), and
   * read the role again when it was for want of one. */
  refused(error) {
    if (error.code === 'forbidden') this.readRole();
  }

  /** Names arrived from GET /api/people: redraw where drafters are named. */
  namesChanged() {
    this.sidebar.drawPresence();
    this.sidebar.drawLegend();
    this.history.namesChanged();
    this.slider.namesChanged();
  }

  /** The report on screen: the live one, or the time slider's past version. */
  get shownReport() {
    return this.slider.report ?? this.report;
  }

  send(command) {
    return this.session.send(command).catch((error) => {
      this.app.toast(`${error.message} (${error.code})`);
      this.refused(error);
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
    this.showWhenReady();
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
      const locked = chapter.adopted || report.adopted || !this.mayDraft;
      parts.number.textContent = `${roman(index + 1)}.`;
      parts.title.textContent = chapter.title;
      parts.element.classList.toggle('adopted', chapter.adopted);
      parts.badge.hidden = !chapter.adopted;
      parts.adopt.hidden = !this.mayChair || chapter.adopted || report.adopted;
      parts.reopen.hidden = !this.mayChair || !chapter.adopted || report.adopted;
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
    this.addChapter.hidden = report.adopted || !this.mayDraft;
    this.drawAdoption();
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

  /** The end of the report: its adoption, which only a chair gives, and once (an adopted
   * report can no longer change), so it is asked twice. */
  adoptionElement() {
    const adopted = h('p', { class: 'report-adopted', hidden: true });
    const adReferendum = h('input', { type: 'checkbox', name: 'ad_referendum' });
    const confirm = h('form', { class: 'adopt-report-confirm', hidden: true },
      h('label', {}, adReferendum, ' ad referendum'),
      h('button', { type: 'submit', text: 'Adopt the report: it can no longer change' }),
      button('Cancel', () => { confirm.hidden = true; open.hidden = false; }, 'quiet'));
    const open = button('Adopt the report…', () => { confirm.hidden = false; open.hidden = true; }, 'adopt-report');
    confirm.addEventListener('submit', (event) => {
      event.preventDefault();
      confirm.hidden = true;
      open.hidden = false;
      this.send({ type: 'AdoptReport', ad_referendum: adReferendum.checked }).catch(() => {});
    });
    const controls = h('div', { class: 'adopt-report-controls' }, open, confirm);
    return { element: h('footer', { class: 'report-adoption' }, adopted, controls), adopted, controls };
  }

  drawAdoption() {
    const { element, adopted, controls } = this.adoption;
    adopted.hidden = !this.report.adopted;
    adopted.textContent = this.report.ad_referendum ? 'The report was adopted ad referendum.' : 'The report was adopted.';
    controls.hidden = this.report.adopted || !this.mayChair;
    element.hidden = adopted.hidden && controls.hidden;
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
