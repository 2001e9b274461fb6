/* One numbered paragraph on screen: its editor and co-editing state, the drafters who are in
 * it, the filling of its placeholders, its generated list and its sub-items a), b)… */
import { h } from './dom.js';
import { colourOf } from './authorship.js';
import { ParagraphEditor } from './editor.js';
import { ParagraphSync } from './coedit.js';
import { findPlaceholders, suggestedValue } from './placeholders.js';
import { transformPosition } from './ot.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
export const itemLetter = (n) => LETTERS[(n - 1) % 26].repeat(Math.floor((n - 1) / 26) + 1);

export class ParagraphView {
  /** context: {session, drafter (the signed-in user's id), people, presence, toast, filled(),
   * send(command), refused(error), onChanged()} */
  constructor(paragraph, context) {
    this.paragraph = paragraph;
    this.context = context;
    this.locked = false;
    this.drawn = false;
    this.number = h('span', { class: 'number' });
    this.editor = new ParagraphEditor(paragraph.text, {
      listing: paragraph.listing !== null,
      callbacks: {
        onEdit: (op, text) => this.edited(op, text),
        onCaret: (cursor) => context.presence.moved(paragraph.id, cursor),
        onPlaceholder: (placeholder) => this.offerFill(placeholder),
      },
    });
    this.sync = new ParagraphSync(paragraph, {
      session: context.session,
      drafter: context.drafter,
      view: {
        applyRemote: (op) => this.editor.applyRemote(op), // serverEdited redraws
        replace: (text) => {
          this.editor.replace(text);
          this.redraw();
        },
        refused: (error) => {
          context.toast(`Your edit of paragraph ${this.number.textContent} was refused: ${error.message}`);
          context.refused(error);
        },
      },
    });
    this.here = h('div', { class: 'presence-tags' });
    this.preview = h('div', { class: 'listing-preview', hidden: paragraph.listing === null });
    this.items = h('ol', { class: 'sub-items' });
    this.fillBar = h('form', { class: 'fill-bar', hidden: true });
    this.element = h(
      'div',
      { class: 'paragraph', dataset: { id: paragraph.id } },
      this.number,
      h('div', { class: 'body' }, this.editor.element, this.here, this.preview, this.items, this.fillBar),
    );
    if (paragraph.recommendation) this.element.classList.add('recommendation');
    if (paragraph.listing) this.element.classList.add('listing');
  }

  edited(op, text) {
    this.context.presence.shift(this.paragraph.id, op);
    this.sync.edited(op, text);
    this.redraw();
    this.context.onChanged();
  }

  /** A text event folded into the model; `op` changed the server text. */
  serverEdited(op, actor, commandId) {
    const own = this.sync.inflight !== null && this.sync.inflight.commandId === commandId;
    if (!own) this.context.presence.shift(this.paragraph.id, op); // ours moved them when typed
    this.sync.serverEdited(op, actor, commandId);
    this.redraw();
  }

  /** Number, lock and sub-items, after anything structural. */
  update(paragraph, number, locked) {
    this.paragraph = paragraph;
    this.sync.paragraph = paragraph;
    this.number.textContent = `${number}.`;
    if (locked !== this.locked || !this.drawn) {
      this.locked = locked;
      this.editor.setReadOnly(locked);
      this.element.classList.toggle('locked', locked);
      if (locked) this.fillBar.hidden = true;
      this.redraw();
      this.drawn = true;
    }
    this.drawItems();
  }

  redraw() {
    const text = this.editor.value;
    const people = this.context.people;
    const carets = this.context.presence.in(this.paragraph.id).map((c) => ({ ...c, name: c.name || people.nameOf(c.drafter) }));
    this.editor.decorate({
      authors: this.sync.localAuthors,
      placeholders: findPlaceholders(this.paragraph.id, text, this.context.filled()),
      carets: carets.filter((c) => c.cursor !== null && c.cursor !== undefined),
    });
    this.here.replaceChildren(
      ...carets.map((c) => {
        const tag = h('span', { class: 'presence-tag', text: c.name, dataset: { drafter: c.drafter } });
        tag.style.setProperty('--author', colourOf(c.drafter, 45));
        return tag;
      }),
    );
  }

  setPreview(rendered) {
    if (!rendered) return;
    this.preview.replaceChildren(
      h('p', { class: 'preview-text', text: rendered.text }),
      ...rendered.lines.map((line) => h('p', { class: `preview-line depth-${line.depth}` }, h('span', { class: 'label', text: line.label }), line.text)),
    );
  }

  drawItems() {
    const items = this.paragraph.items;
    const current = [...this.items.children];
    const same = current.length === items.length && current.every((li, i) => li.dataset.id === items[i].id);
    if (!same) {
      this.items.replaceChildren(...items.map((item) => this.itemElement(item)));
    }
    items.forEach((item, index) => {
      const li = this.items.children[index];
      li.querySelector('.label').textContent = `${itemLetter(index + 1)})`;
      const input = li.querySelector('input');
      if (document.activeElement !== input) input.value = item.text;
      input.readOnly = this.locked;
    });
  }

  itemElement(item) {
    const input = h('input', { class: 'sub-item-text', 'aria-label': 'Sub-item text' });
    input.addEventListener('change', () => {
      this.context
        .send({ type: 'ReplaceSubItemText', paragraph_id: this.paragraph.id, sub_item_id: item.id, text: input.value })
        .catch(() => {
          input.value = item.text;
        });
    });
    return h('li', { dataset: { id: item.id } }, h('span', { class: 'label' }), input);
  }

  /** Clicking into a placeholder offers to fill it: one click on « Fill » takes the words in
   * the brackets, or whatever the drafter types in the box first. */
  offerFill(placeholder) {
    if (this.locked || !placeholder) {
      this.fillBar.hidden = true;
      return;
    }
    const value = h('input', { class: 'fill-value', value: suggestedValue(placeholder), 'aria-label': `Fill ${placeholder.text}` });
    const cancel = h('button', { type: 'button', class: 'quiet', text: 'Cancel', onclick: () => { this.fillBar.hidden = true; } });
    this.fillBar.replaceChildren(
      h('span', { class: 'fill-what' }, 'Fill ', h('mark', { text: placeholder.text }), ' with'),
      value,
      h('button', { type: 'submit', text: 'Fill' }),
      cancel,
    );
    this.fillBar.onsubmit = (event) => {
      event.preventDefault();
      this.fillBar.hidden = true;
      this.context.send({ type: 'FillPlaceholder', placeholder_id: placeholder.id, value: value.value }).catch(() => {});
    };
    this.fillBar.hidden = false;
  }
}

/** Where the drafters are: {connection_id: {drafter (user id), name, paragraph_id, cursor}},
 * carets moved along by the edits that arrive before their next report. */
export class PresenceBoard {
  constructor(onChange) {
    this.entries = new Map();
    this.onChange = onChange;
    this.reporter = null; // (paragraphId, cursor) -> void, throttled by the caller
  }

  seen(message) {
    const before = this.entries.get(message.connection_id);
    this.entries.set(message.connection_id, { drafter: message.drafter, name: message.name || '', paragraph_id: message.paragraph_id ?? null, cursor: message.cursor ?? null });
    this.onChange([before?.paragraph_id, message.paragraph_id]);
  }

  left(message) {
    const entry = this.entries.get(message.connection_id);
    this.entries.delete(message.connection_id);
    this.onChange([entry?.paragraph_id]);
  }

  clear() {
    this.entries.clear();
  }

  in(paragraphId) {
    return [...this.entries.values()].filter((e) => e.paragraph_id === paragraphId);
  }

  drafters() {
    return [...this.entries.values()];
  }

  /** An op reached this paragraph: the carets in it move with the text. */
  shift(paragraphId, op) {
    for (const entry of this.entries.values()) {
      if (entry.paragraph_id === paragraphId && entry.cursor !== null) entry.cursor = transformPosition(entry.cursor, op);
    }
  }

  moved(paragraphId, cursor) {
    this.reporter?.(cursor === null ? null : paragraphId, cursor);
  }
}
