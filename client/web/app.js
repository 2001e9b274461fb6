/* The drafters' editor: who is signed in, the list of reports, and the open report.
 * Plain ES modules, no build step: served as they are by server/static.py.
 *
 * Identity is the server's: the invite link an administrator sends signs the browser in with
 * an HttpOnly session cookie, which every request and the live WebSocket carry on their own.
 * The page only asks who that is (GET /api/me); without a session it says how to sign in. */
import { h } from './dom.js';
import { Api } from './api.js';
import { People } from './people.js';
import { ReportView } from './report.js';

const REPORT_ROUTE = /^#\/reports\/([0-9a-f-]{36})$/;
const TOAST_MS = 6000;
const MAY_DRAFT = new Set(['drafter', 'chair', 'admin']);

const main = document.getElementById('main');
const statusBar = document.getElementById('status');
const userBar = document.getElementById('user');
const toasts = document.getElementById('toasts');

const api = new Api({ onSignedOut: () => showSignedOut() });
const people = new People(api);
let me = null; // {id, name, role} once signed in
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
  unavailable: 'The server cannot reach its storage: retrying, your edits are kept',
  offline: 'Offline: your edits are kept',
  closed: 'Disconnected',
};

function setStatus(state = 'idle', unsent = 0) {
  statusBar.dataset.state = state;
  statusBar.dataset.unsent = String(unsent);
  statusBar.textContent = STATUS_TEXT[state] + (unsent && state !== 'idle' ? ` · ${unsent} unsent` : '');
}

function closeReport() {
  openReport?.stop();
  openReport = null;
  setStatus('idle');
}

/** No session (never signed in, signed out, expired or revoked): how to sign in, and no form,
 * since only an invite link can. */
function showSignedOut() {
  closeReport();
  me = null;
  userBar.replaceChildren();
  main.replaceChildren(h('section', { class: 'card signed-out' },
    h('h2', { text: 'Sign in with the invite link an administrator sent you' }),
    h('p', { text: 'Rapporteur has no password: each person signs in by opening the link made for them. A link works once; if yours was used or has expired, ask an administrator for a new one.' })));
}

async function signOut() {
  try {
    await api.signOut();
  } catch (error) {
    if (error.status !== 401) {
      toast(`You could not be signed out: ${error.message}`);
      return;
    }
  }
  location.reload();
}

function drawUser() {
  userBar.replaceChildren(
    h('span', { class: 'user-name', text: me.name }),
    h('span', { class: 'user-role', text: me.role }),
    h('button', { type: 'button', class: 'sign-out quiet', text: 'Sign out', onclick: signOut }),
  );
}

function route() {
  if (!me) return;
  closeReport();
  const match = location.hash.match(REPORT_ROUTE);
  if (match) return showReport(match[1]);
  return showReports();
}

async function showReports() {
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
  // A new report is checked against the user's own role (no report grants it one yet).
  const tools = MAY_DRAFT.has(me.role)
    ? [create, h('h3', { text: 'Import a draft' }), importing]
    : [h('p', { class: 'none', text: 'You can read the reports. An administrator can give you a role to draft.' })];
  main.replaceChildren(h('section', { class: 'card reports' }, h('h2', { text: 'Reports' }), list, ...tools));
  try {
    const reports = await api.reports();
    list.replaceChildren(...reports.map((report) => h('li', {}, h('a', { href: `#/reports/${report.id}`, text: report.title }), h('span', { class: 'version', text: ` v${report.version}` }))));
    if (!reports.length) list.replaceChildren(h('li', { class: 'none', text: 'No report yet.' }));
  } catch (error) {
    list.replaceChildren(h('li', { class: 'error', text: `The reports cannot be listed: ${error.message}` }));
  }
}

function showReport(reportId) {
  openReport = new ReportView(reportId, { api, me, people, toast, setStatus, signedOut: showSignedOut });
  main.replaceChildren(openReport.element);
  openReport.start();
}

async function start() {
  try {
    me = await api.me();
  } catch (error) {
    if (error.status === 401) return; // onSignedOut showed how to sign in
    main.replaceChildren(h('section', { class: 'card' },
      h('h2', { text: 'Rapporteur cannot be reached' }),
      h('p', { text: error.message }),
      h('button', { type: 'button', text: 'Try again', onclick: () => location.reload() })));
    return;
  }
  people.learn(me.id, me.name);
  people.load();
  drawUser();
  window.addEventListener('hashchange', route);
  route();
}

start();
