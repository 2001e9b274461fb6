/* The time slider: the report replayed from its first event. Play, pause, step back and
 * forward, jump by dragging or by typing a version; meanwhile the page shows the report at
 * that version, read-only (replay.js), folded in the browser (timeline.js), with the change of
 * that version outlined in its author's colour. Leaving the slider shows the live report
 * again, which the live connection kept current all along. */
import { h } from './dom.js';
import { colourOf } from './authorship.js';
import { Timeline } from './timeline.js';
import { ReplayDocument } from './replay.js';
import { allParagraphs } from './model.js';
import { renderedParagraphs, roman } from './report.js';

const RATES = [1, 4, 16, 64]; // versions per second
const DEFAULT_RATE = 4;
const PREVIEW_DELAY_MS = 300; // a version stayed on this long has its lists fetched
const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export class TimeSlider {
  /** view: the ReportView (reportId, app, document, element, sidebar, history) */
  constructor(view) {
    this.view = view;
    this.timeline = new Timeline(view.app.api, view.reportId, () => this.grew());
    this.replay = new ReplayDocument((paragraphId) => view.history.controlFor(paragraphId), (id) => view.app.people.nameOf(id));
    this.document = this.replay.element;
    this.active = false;
    this.version = null;
    this.timer = null;
    this.scrollFrame = null;
    this.previewTimer = null;
    this.rate = DEFAULT_RATE;

    const control = (text, label, className, onclick) => h('button', { type: 'button', class: `timeline-${className}`, text, title: label, 'aria-label': label, onclick });
    this.openButton = control('◷ Time slider', 'Replay the report from its first version', 'open', () => this.open());
    this.first = control('⇤', 'First version', 'first', () => this.jump(1));
    this.back = control('‹', 'Step back', 'back', () => this.step(-1));
    this.playButton = control('▶ Play', 'Play', 'play', () => this.togglePlay());
    this.forward = control('›', 'Step forward', 'forward', () => this.step(1));
    this.last = control('⇥', 'Latest version', 'last', () => this.jump(this.timeline.latest));
    this.closeButton = control('Back to live', 'Leave the slider and edit the live report', 'close', () => this.close());
    this.range = h('input', { type: 'range', class: 'timeline-range', min: 1, max: 1, step: 1, 'aria-label': 'Version' });
    this.range.addEventListener('input', () => this.jump(Number(this.range.value)));
    this.versionInput = h('input', { type: 'number', class: 'timeline-version', min: 1, step: 1, 'aria-label': 'Go to version' });
    this.total = h('span', { class: 'timeline-total' });
    const goTo = h('form', { class: 'timeline-goto' }, h('label', { text: 'v' }), this.versionInput, this.total);
    goTo.addEventListener('submit', (event) => {
      event.preventDefault();
      this.jumpToTyped();
    });
    this.versionInput.addEventListener('change', () => this.jumpToTyped());
    this.speed = h('select', { class: 'timeline-speed', 'aria-label': 'Replay speed' },
      RATES.map((rate) => h('option', { value: rate, text: `${rate}/s` })));
    this.speed.value = String(DEFAULT_RATE);
    this.speed.addEventListener('change', () => {
      this.rate = Number(this.speed.value);
      if (this.timer) this.play();
    });
    this.info = h('div', { class: 'timeline-info' });
    this.controls = h('div', { class: 'timeline-controls', hidden: true },
      h('div', { class: 'timeline-row' }, this.first, this.back, this.playButton, this.forward, this.last, this.range, goTo, this.speed, this.closeButton),
      this.info);
    this.element = h('div', { class: 'timeline-bar' }, this.openButton, this.controls);
  }

  /** The report on screen while replaying, else null. */
  get report() {
    return this.active && this.version !== null ? this.timeline.seek(this.version).report : null;
  }

  /** Enter the slider at `version` (default: where it was left, or the latest). */
  async open(version = null) {
    if (!this.active) {
      this.active = true;
      this.view.element.classList.add('replaying');
      this.view.document.hidden = true;
      this.document.hidden = false;
      this.openButton.hidden = true;
      this.controls.hidden = false;
      this.setBusy(true);
    }
    try {
      await this.timeline.load();
    } catch (error) {
      this.view.app.toast(`The history cannot be loaded: ${error.message}`);
      this.close();
      return;
    }
    if (!this.active) return;
    this.setBusy(false);
    this.jump(version ?? this.version ?? this.timeline.latest);
  }

  close() {
    this.pause();
    clearTimeout(this.previewTimer);
    this.active = false;
    this.view.element.classList.remove('replaying');
    this.replay.clear();
    delete this.document.dataset.version;
    this.document.hidden = true;
    this.view.document.hidden = false;
    this.openButton.hidden = false;
    this.controls.hidden = true;
    this.view.history.markCurrent(null);
    this.view.sidebar.textChanged();
  }

  stop() {
    this.pause();
    clearTimeout(this.previewTimer);
  }

  /** A live event: the timeline follows it (once loaded), and so does the slider's end. */
  liveEvent(event) {
    try {
      if (this.timeline.append(event)) this.grew();
    } catch (error) {
      this.failed(error);
    }
  }

  grew() {
    if (this.active && this.version !== null) this.drawRange();
  }

  step(delta) {
    if (this.version !== null) this.jump(this.version + delta);
  }

  jumpToTyped() {
    const typed = Number(this.versionInput.value);
    if (Number.isFinite(typed) && this.versionInput.value !== '') this.jump(typed);
  }

  /** Show the report at `version` (clamped to the versions held). Synchronous: no request. */
  jump(version) {
    if (!this.active || !this.timeline.loaded) return;
    const target = Math.min(Math.max(1, Math.round(version)), this.timeline.latest);
    let shown;
    try {
      shown = this.timeline.seek(target);
    } catch (error) {
      this.failed(error);
      return;
    }
    this.version = target;
    this.document.dataset.version = String(target);
    const event = this.timeline.event(target);
    this.replay.show(shown.report, event, shown.effect);
    this.scrollToChange();
    clearTimeout(this.previewTimer);
    if (this.replay.hasListings) this.previewTimer = setTimeout(() => this.fetchPreviews(target), PREVIEW_DELAY_MS);
    this.drawRange();
    this.drawInfo(event, shown.report);
    this.view.history.markCurrent(target);
    this.view.sidebar.textChanged();
  }

  /** Bring the outlined change into view, once per frame: reading where it is lays the page
   * out, which the frame does anyway, rather than once per step while dragging. */
  scrollToChange() {
    if (this.scrollFrame) return;
    this.scrollFrame = requestAnimationFrame(() => {
      this.scrollFrame = null;
      if (this.active) this.replay.changed?.scrollIntoView({ block: 'nearest' });
    });
  }

  /** The lists of the listing paragraphs at `version`, which the server generates. */
  async fetchPreviews(version) {
    let html;
    try {
      html = await this.view.app.api.renderedHtml(this.view.reportId, version);
    } catch {
      return; // the lists stay dimmed as they were
    }
    if (this.active && this.version === version) this.replay.setPreviews(renderedParagraphs(html));
  }

  togglePlay() {
    if (this.timer) this.pause();
    else this.play();
  }

  play() {
    clearInterval(this.timer);
    if (this.version !== null && this.version >= this.timeline.latest) this.jump(1);
    this.timer = setInterval(() => {
      if (this.version >= this.timeline.latest) this.pause();
      else this.jump(this.version + 1);
    }, 1000 / this.rate);
    this.playButton.textContent = '❚❚ Pause';
    this.playButton.title = 'Pause';
    this.playButton.setAttribute('aria-label', 'Pause');
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    this.playButton.textContent = '▶ Play';
    this.playButton.title = 'Play';
    this.playButton.setAttribute('aria-label', 'Play');
  }

  setBusy(busy) {
    for (const element of [this.first, this.back, this.playButton, this.forward, this.last, this.range, this.versionInput]) element.disabled = busy;
    this.element.setAttribute('aria-busy', String(busy));
    if (busy) this.info.textContent = 'Loading the history…';
  }

  drawRange() {
    const latest = this.timeline.latest;
    this.range.max = String(latest);
    this.range.value = String(this.version);
    if (document.activeElement !== this.versionInput) this.versionInput.value = String(this.version);
    this.versionInput.max = String(latest);
    this.total.textContent = ` of ${latest}`;
    this.first.disabled = this.back.disabled = this.version <= 1;
    this.forward.disabled = this.last.disabled = this.version >= latest;
  }

  drawInfo(event, report) {
    const said = this.timeline.summaries.get(event.version) ?? describe(event, report);
    const summary = h('span', { class: 'timeline-summary', text: said, title: said });
    const swatch = h('span', { class: 'dot' });
    swatch.style.setProperty('--author', colourOf(event.actor, 45));
    const name = this.view.app.people.nameOf(event.actor);
    this.info.replaceChildren(
      h('span', { class: 'timeline-when', text: TIME.format(new Date(event.at)) }),
      ' · ',
      swatch,
      h('span', { class: 'timeline-actor', text: name, dataset: { actor: event.actor } }),
      ' · ',
      summary,
    );
    this.range.setAttribute('aria-valuetext', `version ${event.version}, ${name}`);
    if (!this.timeline.summaries.has(event.version)) {
      this.timeline.summary(event.version).then((text) => {
        if (text && this.version === event.version) summary.textContent = summary.title = text;
      }, () => {}); // the description stays
    }
  }

  /** Display names arrived: the version shown names its drafter again. */
  namesChanged() {
    if (!this.active || this.version === null || !this.timeline.loaded) return;
    const event = this.timeline.event(this.version);
    const name = this.view.app.people.nameOf(event.actor);
    const actor = this.info.querySelector('.timeline-actor');
    if (actor) actor.textContent = name;
    this.range.setAttribute('aria-valuetext', `version ${event.version}, ${name}`);
    this.replay.outline(event);
    this.replay.renamed();
  }

  failed(error) {
    this.pause();
    this.view.app.toast(`The replay stopped: ${error.message}`);
  }
}

/** What an event did, until the server's summary arrives: its type in words, and where. */
function describe(event, report) {
  const words = event.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const data = event.data ?? {};
  let where = '';
  if (data.paragraph_id) {
    const number = allParagraphs(report).findIndex((paragraph) => paragraph.id === data.paragraph_id) + 1;
    if (number) where = ` (¶ ${number})`;
  } else if (data.chapter_id) {
    const index = report.chapters.findIndex((chapter) => chapter.id === data.chapter_id);
    if (index >= 0) where = ` (chapter ${roman(index + 1)})`;
  }
  return words.charAt(0).toUpperCase() + words.slice(1) + where;
}
