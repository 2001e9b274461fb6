/* The report's history beside it: its events newest first, a page at a time, each with its
 * version, time, drafter (by display name; the filter asks the server by user id) and the
 * server's one-line summary in the report's language, filtered by drafter and by paragraph. Every paragraph has a small « history » control that filters the
 * panel to it; a click on an event opens the time slider at its version.
 *
 * GET /api/reports/{id}/history reads the log oldest first from `?after=`, so a page of the
 * newest events before a version is read in windows going back from it, each four times as
 * long as the one before, until the page is full or the first version is reached. */
import { h } from './dom.js';
import { colourOf } from './authorship.js';
import { allParagraphs } from './model.js';

const PAGE = 25;
const MAX_LIMIT = 1000; // the server's largest page
const REFRESH_DELAY_MS = 700;
const SNIPPET = 32;
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

export class HistoryPanel {
  /** view: the ReportView (reportId, app, report, slider) */
  constructor(view) {
    this.view = view;
    this.actors = new Set([view.app.me.id]); // user ids (or, in old events, what they recorded)
    this.filters = { actor: '', paragraph: '' };
    this.oldest = null; // older pages end before this version
    this.newest = null; // every version up to this one was read for the top of the list
    this.query = 0; // the latest request: the answers of earlier ones are dropped
    this.current = null;
    this.refreshTimer = null;
    this.actorSelect = h('select', { class: 'history-actor', name: 'history_actor', 'aria-label': 'Show the events of one drafter' });
    this.paragraphSelect = h('select', { class: 'history-paragraph', name: 'history_paragraph', 'aria-label': 'Show the events of one paragraph' });
    this.actorSelect.addEventListener('change', () => this.filter({ actor: this.actorSelect.value }));
    this.paragraphSelect.addEventListener('change', () => this.filter({ paragraph: this.paragraphSelect.value }));
    this.list = h('ol', { class: 'history-list' });
    this.more = h('button', { type: 'button', class: 'history-more quiet', text: 'Older events…', hidden: true, onclick: () => this.fetchPage(false) });
    this.heading = h('h4', { text: 'History', tabindex: '-1' });
    this.element = h('section', { class: 'history' }, this.heading, h('div', { class: 'history-filters' }, this.actorSelect, this.paragraphSelect), this.list, this.more);
    this.drawActors();
  }

  stop() {
    clearTimeout(this.refreshTimer);
    this.query += 1;
  }

  /** The « history » control of a paragraph. */
  controlFor(paragraphId) {
    return h('button', { type: 'button', class: 'paragraph-history', text: 'history', title: 'The history of this paragraph', 'aria-label': 'History of this paragraph', onclick: () => this.showParagraph(paragraphId) });
  }

  showParagraph(paragraphId) {
    this.filter({ actor: '', paragraph: paragraphId });
    this.element.scrollIntoView({ block: 'nearest' });
    this.heading.focus({ preventScroll: true });
  }

  filter(changes) {
    Object.assign(this.filters, changes);
    this.drawParagraphs();
    this.drawActors();
    this.fetchPage(true);
  }

  /** The first page again, once the report is on screen. */
  reload() {
    return this.fetchPage(true);
  }

  /** The first page (`fresh`), or the next older one. */
  async fetchPage(fresh) {
    const query = ++this.query;
    this.more.disabled = true;
    const before = fresh ? (this.view.session.version ?? 0) + 1 : this.oldest;
    if (fresh) this.newest = null;
    let page;
    try {
      page = await this.newestBefore(before, { ...this.filters });
    } catch (error) {
      if (query !== this.query) return;
      if (fresh) {
        this.list.replaceChildren(h('li', { class: 'error', text: `The history cannot be read: ${error.message}` }));
        this.more.hidden = true;
      } else {
        this.view.app.toast(`The older events cannot be read: ${error.message}`);
        this.more.disabled = false;
      }
      return;
    }
    if (query !== this.query) return;
    for (const { event } of page.entries) this.seeActor(event.actor);
    if (fresh) {
      this.list.replaceChildren();
      this.newest = before - 1;
    }
    this.list.append(...page.entries.map(({ event, summary }) => this.entry(event, summary)));
    if (!this.list.children.length) this.list.append(h('li', { class: 'none', text: 'No event matches.' }));
    this.oldest = page.entries.at(-1)?.event.version ?? before;
    this.more.hidden = !page.more;
    this.more.disabled = false;
    this.markCurrent(this.current);
  }

  /** The events that came after those listed, put on top. */
  async fetchNewer() {
    this.refreshTimer = null;
    if (this.newest === null) return; // the first page, on its way, will hold them
    const query = this.query;
    const upto = this.view.session.version;
    let page;
    try {
      page = await this.view.app.api.history(this.view.reportId, { ...this.filters, after: this.newest, limit: MAX_LIMIT });
    } catch {
      return; // the next event tries again
    }
    if (query !== this.query) {
      this.eventArrived(null); // an older page was asked for meanwhile: read again
      return;
    }
    if (this.newest === null) return;
    const entries = page.events.filter(({ event }) => event.version > this.newest);
    for (const { event } of entries) this.seeActor(event.actor);
    if (entries.length) this.list.querySelector('.none')?.remove();
    this.list.prepend(...entries.reverse().map(({ event, summary }) => this.entry(event, summary)));
    // Without next_after, the server read all it had, at least up to `upto`.
    this.newest = Math.max(this.newest, page.next_after ?? upto, ...entries.map(({ event }) => event.version));
    if (page.next_after !== null) this.eventArrived(null);
    this.markCurrent(this.current);
  }

  /** The PAGE newest entries before version `before` that pass `filters`, newest first, and
   * whether older ones may remain. */
  async newestBefore(before, filters) {
    const found = [];
    let end = before - 1;
    let size = PAGE;
    while (end >= 1 && found.length < PAGE) {
      const start = Math.max(0, end - size);
      found.unshift(...(await this.window(start, end, filters)));
      end = start;
      size *= 4;
    }
    return { entries: found.slice(-PAGE).reverse(), more: found.length > PAGE || end >= 1 };
  }

  /** Every entry after version `start` up to `end` that passes `filters`, oldest first. */
  async window(start, end, filters) {
    const found = [];
    let after = start;
    while (after < end) {
      const page = await this.view.app.api.history(this.view.reportId, { ...filters, after, limit: Math.min(end - after, MAX_LIMIT) });
      found.push(...page.events.filter(({ event }) => event.version <= end));
      if (page.next_after === null || page.next_after >= end) break;
      after = page.next_after;
    }
    return found;
  }

  entry(event, summary) {
    const dot = h('span', { class: 'dot' });
    dot.style.setProperty('--author', colourOf(event.actor, 45));
    const open = h('button', { type: 'button', class: 'history-open', title: 'Show the report at this version', onclick: () => this.view.slider.open(event.version) },
      h('span', { class: 'history-meta' },
        h('span', { class: 'history-version', text: `v${event.version}` }),
        h('time', { class: 'history-time', datetime: event.at, text: when(event.at) }),
        h('span', { class: 'history-actor-name', dataset: { actor: event.actor } }, dot, h('span', { class: 'name', text: this.view.app.people.nameOf(event.actor) }))),
      h('span', { class: 'history-summary', text: summary }));
    return h('li', { class: 'history-entry', dataset: { version: event.version, type: event.type } }, open);
  }

  /** The slider shows `version` (null: the live report): its entry is marked. */
  markCurrent(version) {
    this.current = version;
    for (const item of this.list.children) item.classList.toggle('current', version !== null && item.dataset.version === String(version));
  }

  /** A live event (or null: more to read): its drafter joins the filter, and the events after
   * those listed are read, at most once every REFRESH_DELAY_MS. */
  eventArrived(event) {
    if (event) this.seeActor(event.actor);
    this.refreshTimer ??= setTimeout(() => this.fetchNewer(), REFRESH_DELAY_MS);
  }

  structureChanged() {
    this.drawParagraphs();
    const report = this.view.report;
    if (report) for (const paragraph of allParagraphs(report)) for (const [author] of paragraph.authors) this.seeActor(author);
  }

  seeActor(actor) {
    if (!actor || this.actors.has(actor)) return;
    this.actors.add(actor);
    this.drawActors();
  }

  drawActors() {
    const people = this.view.app.people;
    const named = [...this.actors].map((actor) => [actor, people.nameOf(actor)]);
    named.sort(([a, nameA], [b, nameB]) => nameA.localeCompare(nameB) || a.localeCompare(b));
    const options = [h('option', { value: '', text: 'All drafters' }), ...named.map(([actor, name]) => h('option', { value: actor, text: name }))];
    this.actorSelect.replaceChildren(...options);
    this.actorSelect.value = this.filters.actor;
  }

  /** Display names arrived: the entries and the filter show them. */
  namesChanged() {
    const people = this.view.app.people;
    for (const name of this.list.querySelectorAll('.history-actor-name')) name.querySelector('.name').textContent = people.nameOf(name.dataset.actor);
    this.drawActors();
  }

  drawParagraphs() {
    const paragraphs = this.view.report ? allParagraphs(this.view.report) : [];
    const options = [h('option', { value: '', text: 'All paragraphs' })];
    paragraphs.forEach((paragraph, index) => {
      const words = paragraph.text.replaceAll('\ufffc', '…').trim();
      const snippet = words.length > SNIPPET ? `${words.slice(0, SNIPPET)}…` : words;
      options.push(h('option', { value: paragraph.id, text: `¶ ${index + 1}${snippet ? ` — ${snippet}` : ''}` }));
    });
    const chosen = this.filters.paragraph;
    if (chosen && !paragraphs.some((paragraph) => paragraph.id === chosen)) options.push(h('option', { value: chosen, text: '¶ (removed)' }));
    this.paragraphSelect.replaceChildren(...options);
    this.paragraphSelect.value = chosen;
  }
}

function when(at) {
  const time = new Date(at);
  return time.toDateString() === new Date().toDateString() ? TIME.format(time) : DATE_TIME.format(time);
}
