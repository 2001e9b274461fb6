/* The drafters' editor: who you are, the list of reports, and the open report.
 * Plain ES modules, no build step: served as they are by server/static.py. */
import { h } from './dom.js';
import { Api } from './api.js';
import { ReportView } from './report.js';

const DRAFTER_KEY = 'rapporteur.drafter';
const REPORT_ROUTE = /^#\/reports\/([0-9a-f-]{36})$/;
const TOAST_MS = 6000;

const main = document.getElementById('main');
const statusBar = document.getElementById('status');
const drafterBar = document.getElementById('drafter');
const toasts = document.getElementById('toasts');

let openReport = null;

function toast(message) {
  const element = h('div', { class: 'toast', role: 'alert', text: message });
  toasts.append(element);
  setTimeout(() => element.remove(), TOAST_MS);
}

const STATUS_TEXT = {
  idle: '',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline: your edits are kept',
  closed: 'Disconnected',
};

function setStatus(state = 'idle', unsent = 0) {
  statusBar.dataset.state = state;
  statusBar.dataset.unsent = String(unsent);
  statusBar.textContent = STATUS_TEXT[state] + (unsent && state !== 'idle' ? ` · ${unsent} unsent` : '');
}

function drafter() {
  return (localStorage.getItem(DRAFTER_KEY) ?? '').trim();
}

function route() {
  openReport?.stop();
  openReport = null;
  setStatus('idle');
  const name = drafter();
  drafterBar.replaceChildren(...(name ? [h('span', { text: name }), h('button', { type: 'button', class: 'quiet', text: 'Change', onclick: () => showNameForm(name) })] : []));
  if (!name) return showNameForm('');
  const match = location.hash.match(REPORT_ROUTE);
  if (match) return showReport(match[1], name);
  return showReports(name);
}

function showNameForm(current) {
  openReport?.stop();
  openReport = null;
  const input = h('input', { id: 'drafter-name', name: 'drafter', value: current, maxlength: 100, required: true, autocomplete: 'name', placeholder: 'e.g. Alice Martin' });
  const form = h('form', { class: 'card name-form' },
    h('h2', { text: 'Who is drafting?' }),
    h('label', { for: 'drafter-name', text: 'Your name, as your edits will be signed' }),
    input,
    h('button', { type: 'submit', text: 'Continue' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name) return;
    localStorage.setItem(DRAFTER_KEY, name);
    route();
  });
  main.replaceChildren(form);
  input.focus();
}

async function showReports(name) {
  const api = new Api(name);
  const list = h('ul', { class: 'report-list' }, h('li', { class: 'loading', text: 'Loading…' }));
  const title = h('input', { name: 'title', 'aria-label': 'Title of the new report', placeholder: 'Projet de rapport', required: true });
  const create = h('form', { class: 'new-report' }, title, h('button', { type: 'submit', text: 'New report' }));
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const created = await api.createReport(title.value.trim());
      location.hash = `#/reports/${created.id}`;
    } catch (error) {
      toast(`The report was not created: ${error.message}`);
    }
  });
  const file = h('input', { type: 'file', name: 'draft', accept: '.txt,text/plain', 'aria-label': 'Draft file', required: true });
  const language = h('select', { name: 'language', 'aria-label': 'Language of the draft' }, h('option', { value: 'fr', text: 'Français' }), h('option', { value: 'en', text: 'English' }));
  const importing = h('form', { class: 'import-draft' }, file, language, h('button', { type: 'submit', text: 'Import draft' }));
  importing.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!file.files.length) return;
    try {
      const created = await api.importDraft(await file.files[0].text(), language.value);
      location.hash = `#/reports/${created.id}`;
    } catch (error) {
      toast(`The draft was not imported: ${error.message}`);
    }
  });
  main.replaceChildren(h('section', { class: 'card reports' }, h('h2', { text: 'Reports' }), list, create, h('h3', { text: 'Import a draft' }), importing));
  try {
    const reports = await api.reports();
    list.replaceChildren(...reports.map((report) => h('li', {}, h('a', { href: `#/reports/${report.id}`, text: report.title }), h('span', { class: 'version', text: ` v${report.version}` }))));
    if (!reports.length) list.replaceChildren(h('li', { class: 'none', text: 'No report yet.' }));
  } catch (error) {
    list.replaceChildren(h('li', { class: 'error', text: `The reports cannot be listed: ${error.message}` }));
  }
}

function showReport(reportId, name) {
  openReport = new ReportView(reportId, { api: new Api(name), drafter: name, toast, setStatus });
  main.replaceChildren(openReport.element);
  openReport.start();
}

window.addEventListener('hashchange', route);
window.addEventListener('storage', (event) => {
  if (event.key === DRAFTER_KEY) route();
});
route();
