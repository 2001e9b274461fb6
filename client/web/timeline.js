/* A report's past, held in the browser for the time slider: the report as created (GET
 * ?at=1) and every event since with its one-line summary (GET …/history, a page at a time),
 * folded with model.js exactly as the live report is folded.
 *
 * A copy of the folded report is kept every CHECKPOINT_EVERY versions, so any version is at
 * most that many folds away: a step forward folds one event onto the copy on screen, a step
 * back or a jump restores the nearest copy below and folds forward from it. Both take well
 * under a frame, so the slider never waits on the network once the events are loaded. */
import { applyEvent, fromSnapshot } from './model.js';

const CHECKPOINT_EVERY = 64;
const PAGE = 1000;

export class Timeline {
  /** onGrow(latest): called when events were added from the server (not by `append`). */
  constructor(api, reportId, onGrow) {
    this.api = api;
    this.reportId = reportId;
    this.onGrow = onGrow;
    this.events = []; // events[v - 1] is version v, from ReportCreated on
    this.summaries = new Map(); // version -> the server's one-line summary
    this.checkpoints = []; // checkpoints[i]: the report at version 1 + i * CHECKPOINT_EVERY, never changed
    this.tip = null; // the report at the latest loaded version, folded as events arrive
    this.cursor = null; // {version, report, effect}: the copy on screen, and what its last event did
    this.loading = null;
    this.catchingUp = null;
    this.behind = false; // a live event came before the ones before it: read again
  }

  get loaded() {
    return this.tip !== null;
  }

  /** The latest version held (0 before loading). */
  get latest() {
    return this.events.length;
  }

  /** The stored event of `version` (1 is ReportCreated). */
  event(version) {
    return this.events[version - 1] ?? null;
  }

  /** Load the report as created and every event, page by page. */
  load() {
    this.loading ??= this.fetchAll().catch((error) => {
      this.loading = null;
      throw error;
    });
    return this.loading;
  }

  async fetchAll() {
    const [{ report }, first] = await Promise.all([this.api.reportAt(this.reportId, 1), this.page(0)]);
    this.tip = fromSnapshot(report);
    this.checkpoints = [structuredClone(this.tip)];
    this.take(first.events);
    if (first.next_after !== null || this.behind) await this.catchUp();
  }

  page(after) {
    return this.api.history(this.reportId, { after, limit: PAGE });
  }

  /** Events after the latest held, page by page, until there are no more. */
  catchUp() {
    this.catchingUp ??= (async () => {
      try {
        for (;;) {
          this.behind = false;
          const page = await this.page(this.latest);
          this.take(page.events);
          if (page.next_after === null && !this.behind) return;
        }
      } finally {
        this.catchingUp = null;
      }
    })();
    return this.catchingUp;
  }

  take(entries) {
    const before = this.latest;
    for (const { event, summary } of entries) {
      this.summaries.set(event.version, summary);
      this.append(event);
    }
    if (this.latest !== before) this.onGrow?.(this.latest);
  }

  /** The server's one-line summary of `version` (one that arrived live is asked for once). */
  async summary(version) {
    if (!this.summaries.has(version)) this.take((await this.api.history(this.reportId, { after: version - 1, limit: 1 })).events);
    return this.summaries.get(version) ?? null;
  }

  /** A new event, from a page or from the live connection. One already held is ignored; one
   * past a gap (it arrived while a page was on its way) fetches what is missing instead.
   * Returns whether the timeline grew. */
  append(event) {
    if (!this.loaded) {
      this.behind ||= this.loading !== null;
      return false;
    }
    if (event.version <= this.latest) return false;
    if (event.version !== this.latest + 1) {
      this.behind = true;
      this.catchUp().catch(() => {}); // the next live event tries again
      return false;
    }
    if (event.version > 1) applyEvent(this.tip, event);
    this.events.push(event);
    if (event.version > 1 && (event.version - 1) % CHECKPOINT_EVERY === 0) this.checkpoints.push(structuredClone(this.tip));
    return true;
  }

  /** The report at `version` (1 ≤ version ≤ latest) and the effect of that version's event
   * (model.js's applyEvent result; null for version 1). The copy is reused by the next call:
   * read it, keep nothing of it. */
  seek(version) {
    const cursor = this.cursor;
    if (cursor && version === cursor.version) return cursor;
    if (!cursor || version < cursor.version || version - cursor.version > CHECKPOINT_EVERY) {
      // The nearest copy at or below version - 1, so that the event of `version` is folded last.
      const index = Math.min(Math.floor((Math.max(version - 1, 1) - 1) / CHECKPOINT_EVERY), this.checkpoints.length - 1);
      this.cursor = { version: 1 + index * CHECKPOINT_EVERY, report: structuredClone(this.checkpoints[index]), effect: null };
    }
    const at = this.cursor;
    try {
      while (at.version < version) {
        at.version += 1;
        at.effect = applyEvent(at.report, this.events[at.version - 1]);
      }
    } catch (error) {
      this.cursor = null; // half folded: the next seek starts again from a copy
      throw error;
    }
    return at;
  }
}
