/* The display names of the users behind events, authorship and presence (GET /api/people).
 *
 * Ids stay the keys everywhere (colours, filters, authorship runs); a name is only shown, so a
 * renamed user is renamed everywhere at once. An id missing from the map asks the server again,
 * once per id, so a user created after the page loaded gets their name; an id the server does
 * not know either (an event from before accounts) shows as itself. */

export class People {
  /** api: anything with `people()` answering {id: name} (api.js's Api). */
  constructor(api) {
    this.api = api;
    this.names = new Map();
    this.asked = new Set(); // ids already looked up: not asked about again
    this.listeners = new Set();
    this.fetching = null;
    this.again = false; // an id was missed while a fetch was on its way
  }

  /** Every name, once (a failure leaves the ids shown as they are, and is not thrown). */
  load() {
    return this.refresh();
  }

  /** `id`'s display name, or `id` itself while (or if) it is unknown. */
  nameOf(id) {
    if (id === null || id === undefined || id === '') return '';
    const name = this.names.get(id);
    if (name !== undefined) return name;
    if (!this.asked.has(id)) {
      this.asked.add(id);
      this.refresh();
    }
    return id;
  }

  /** A name learnt elsewhere (presence messages carry one, GET /api/me says ours). */
  learn(id, name) {
    if (!id || !name || this.names.get(id) === name) return;
    this.names.set(id, name);
    this.changed();
  }

  /** listener(): called when names arrived; returns the function that stops it. */
  onChange(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  refresh() {
    if (this.fetching) {
      this.again = true;
      return this.fetching;
    }
    this.fetching = (async () => {
      try {
        do {
          this.again = false;
          let answer;
          try {
            answer = await this.api.people();
          } catch {
            return; // the ids stay shown; a later unknown id asks again
          }
          let changed = false;
          for (const [id, name] of Object.entries(answer)) {
            if (this.names.get(id) !== name) {
              this.names.set(id, name);
              changed = true;
            }
          }
          if (changed) this.changed();
        } while (this.again);
      } finally {
        this.fetching = null;
      }
    })();
    return this.fetching;
  }

  changed() {
    for (const listener of this.listeners) listener();
  }
}
