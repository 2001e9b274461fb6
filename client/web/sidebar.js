/* Beside the report: who is here and where, authorship colours, the placeholders left to
 * fill, the record of statements (and the agenda they are made under), and the downloads.
 * Drafters are told apart by their user id (the colours) and shown by their display name. */
import { h, reconcile } from './dom.js';
import { colourOf } from './authorship.js';
import { renderUrl } from './api.js';
import { findPlaceholders, suggestedValue } from './placeholders.js';
import { itemLetter } from './paragraph.js';
import { allParagraphs } from './model.js';

export const SPEAKER_CATEGORIES = {
  party: 'State party',
  signatory: 'Signatory State',
  observer_state: 'Observer State',
  non_member_observer_state: 'Non-member observer State',
  observer_entity: 'Observer entity',
  intergovernmental_organization: 'Intergovernmental organization',
  un_entity: 'United Nations entity',
  ngo: 'Non-governmental organization',
  panellist: 'Panellist',
  chair: 'Chair',
};

export class Sidebar {
  constructor(view) {
    this.view = view;
    this.presenceList = h('ul', { class: 'presence-list' });
    this.showAuthors = h('input', { type: 'checkbox', id: 'show-authors' });
    this.showAuthors.checked = localStorage.getItem('rapporteur.showAuthors') === 'yes';
    this.showAuthors.addEventListener('change', () => this.toggleAuthors());
    this.legend = h('ul', { class: 'legend' });
    this.placeholders = h('ol', { class: 'placeholder-list' });
    this.agendaSelect = h('select', { name: 'agenda_item', 'aria-label': 'Agenda item', required: true });
    this.categorySelect = h('select', { name: 'category', 'aria-label': 'Speaker category' },
      Object.entries(SPEAKER_CATEGORIES).map(([value, label]) => h('option', { value, text: label })));
    this.delegation = h('input', { name: 'delegation', 'aria-label': 'Delegation', placeholder: 'Delegation', required: true });
    const statement = h('form', { class: 'statement-form' }, this.agendaSelect, this.categorySelect, this.delegation, h('button', { type: 'submit', text: 'Record statement' }));
    statement.addEventListener('submit', (event) => this.recordStatement(event));
    this.agendaTitle = h('input', { name: 'agenda_title', 'aria-label': 'New agenda item', placeholder: 'New agenda item', required: true });
    const agenda = h('form', { class: 'agenda-form' }, this.agendaTitle, h('button', { type: 'submit', text: 'Add' }));
    agenda.addEventListener('submit', (event) => this.addAgendaItem(event));
    const id = view.reportId;
    this.recording = h('section', { class: 'live-only record-statement' }, h('h4', { text: 'Record a statement' }), statement, agenda);
    this.element = h('aside', { class: 'sidebar' },
      h('section', {}, h('h4', { text: 'Here now' }), this.presenceList),
      h('section', {}, h('label', { class: 'toggle' }, this.showAuthors, ' Colour by author'), this.legend),
      view.history.element,
      h('section', { class: 'live-only' }, h('h4', { text: 'Placeholders to fill' }), this.placeholders),
      this.recording,
      h('section', { class: 'downloads' }, h('h4', { text: 'Download' }),
        ['txt', 'md', 'html', 'docx'].map((format) => h('a', { href: renderUrl(id, format), target: '_blank', rel: 'noopener', text: format.toUpperCase() }))),
    );
    this.toggleAuthors();
  }

  toggleAuthors() {
    localStorage.setItem('rapporteur.showAuthors', this.showAuthors.checked ? 'yes' : 'no');
    document.body.classList.toggle('show-authors', this.showAuthors.checked);
  }

  render() {
    this.recording.hidden = !this.view.mayDraft;
    this.drawAgenda();
    this.textChanged();
    this.drawPresence();
  }

  /** Placeholders and the authors' legend follow the text. */
  textChanged() {
    if (this.textTimer) return;
    this.textTimer = setTimeout(() => {
      this.textTimer = null;
      this.drawPlaceholders();
      this.drawLegend();
    }, 100);
  }

  drawPresence() {
    const { me, people } = this.view.app;
    const mine = h('li', { dataset: { drafter: me.id } }, dot(me.id), h('span', { class: 'name', text: `${me.name} (you)` }));
    const others = this.view.presence.drafters().map((entry) => {
      const number = entry.paragraph_id && this.view.report ? this.view.numberOf(entry.paragraph_id) : null;
      return h('li', { dataset: { drafter: entry.drafter } }, dot(entry.drafter), h('span', { class: 'name', text: entry.name || people.nameOf(entry.drafter) }), number ? h('span', { class: 'where', text: ` ¶ ${number}` }) : null);
    });
    this.presenceList.replaceChildren(mine, ...others);
  }

  /** The authors of the report shown, by name, each with the colour of their id. */
  drawLegend() {
    const report = this.view.shownReport;
    if (!report) return;
    const authors = new Set();
    for (const paragraph of allParagraphs(report)) for (const [author] of paragraph.authors) if (author) authors.add(author);
    const people = this.view.app.people;
    const named = [...authors].map((author) => [author, people.nameOf(author)]);
    named.sort(([a, nameA], [b, nameB]) => nameA.localeCompare(nameB) || a.localeCompare(b));
    this.legend.replaceChildren(...named.map(([author, name]) => {
      const swatch = h('span', { class: 'swatch' });
      swatch.style.setProperty('--author', colourOf(author));
      return h('li', { dataset: { author } }, swatch, name);
    }));
  }

  drawPlaceholders() {
    const report = this.view.report;
    const filled = this.view.filled;
    const rows = [];
    report.chapters.forEach((chapter) => {
      for (const paragraph of [...chapter.paragraphs, ...chapter.sections.flatMap((s) => s.paragraphs)]) {
        for (const placeholder of findPlaceholders(paragraph.id, paragraph.text, filled)) rows.push({ chapter, paragraph, placeholder });
      }
    });
    const previous = this.placeholderRows ?? new Map();
    this.placeholderRows = new Map();
    const items = rows.map(({ chapter, paragraph, placeholder }) => {
      // A row stays while its placeholder does, so a value being typed into it is kept.
      const row = previous.get(placeholder.id) ?? this.placeholderRow(placeholder);
      row.querySelector('.where').textContent = `¶ ${this.view.numberOf(paragraph.id)} `;
      row.querySelector('form').hidden = !this.view.mayDraft;
      row.querySelector('button').disabled = chapter.adopted || this.view.report.adopted;
      this.placeholderRows.set(placeholder.id, row);
      return row;
    });
    reconcile(this.placeholders, items.length ? items : [h('li', { class: 'none', text: 'None left.' })]);
  }

  placeholderRow(placeholder) {
    const value = h('input', { class: 'fill-value', value: suggestedValue(placeholder), 'aria-label': `Fill ${placeholder.text}` });
    const form = h('form', { class: 'fill' }, value, h('button', { type: 'submit', text: 'Fill' }));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.view.send({ type: 'FillPlaceholder', placeholder_id: placeholder.id, value: value.value }).catch(() => {});
    });
    return h('li', { dataset: { id: placeholder.id } }, h('span', { class: 'where' }), h('mark', { text: placeholder.text }), form);
  }

  drawAgenda() {
    const chosen = this.agendaSelect.value;
    const options = [];
    this.view.report.agenda.forEach((item, index) => {
      options.push(h('option', { value: item.id, text: `${index + 1}. ${item.title}` }));
      item.sub_items.forEach((sub, subIndex) => options.push(h('option', { value: sub.id, text: `${index + 1} ${itemLetter(subIndex + 1)}) ${sub.title}` })));
    });
    if (!options.length) options.push(h('option', { value: '', text: 'No agenda item yet' }));
    this.agendaSelect.replaceChildren(...options);
    if (chosen) this.agendaSelect.value = chosen;
  }

  recordStatement(event) {
    event.preventDefault();
    const delegation = this.delegation.value.trim();
    if (!this.agendaSelect.value || !delegation) return;
    this.view
      .send({ type: 'RecordStatement', agenda_item_id: this.agendaSelect.value, category: this.categorySelect.value, delegation })
      .then(() => { this.delegation.value = ''; }, () => {});
  }

  addAgendaItem(event) {
    event.preventDefault();
    const title = this.agendaTitle.value.trim();
    if (!title) return;
    this.view.send({ type: 'AddAgendaItem', title }).then(() => { this.agendaTitle.value = ''; }, () => {});
  }
}

function dot(drafter) {
  const element = h('span', { class: 'dot' });
  element.style.setProperty('--author', colourOf(drafter, 45));
  return element;
}
