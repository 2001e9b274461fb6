/* The HTTP API (README.md), same-origin: the browser sends the session cookie (HttpOnly,
 * SameSite=Strict) with every request, so nothing here names the user. Errors come back as
 * {code, message} and are thrown as ApiError; a 401 also tells the page it is signed out. */

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export class Api {
  /** onSignedOut(): called when the server answers 401, the session being unknown, expired
   * or revoked (the request still throws). */
  constructor({ onSignedOut = () => {} } = {}) {
    this.onSignedOut = onSignedOut;
  }

  async request(method, path, { body, contentType = 'application/json', as = 'json' } = {}) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = contentType;
    const payload = body === undefined || typeof body === 'string' || body instanceof Blob ? body : JSON.stringify(body);
    let response;
    try {
      response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
    } catch (error) {
      throw new ApiError('network', `the server cannot be reached (${error.message})`, 0);
    }
    if (!response.ok) {
      let code = 'http_error';
      let message = `${response.status} ${response.statusText}`;
      try {
        ({ code, message } = await response.json());
      } catch {
        /* not a JSON error body: keep the status line */
      }
      if (response.status === 401) this.onSignedOut();
      throw new ApiError(code, message, response.status);
    }
    if (as === 'none' || response.status === 204) return null;
    return as === 'text' ? response.text() : response.json();
  }

  /** Who is signed in: {id, name, role}; with a report id, also `report_role`, the role that
   * report's commands are checked against. */
  me(reportId = null) {
    return this.request('GET', reportId ? `/api/me?report=${encodeURIComponent(reportId)}` : '/api/me');
  }

  /** Every user's display name by id: {id: name}. */
  people() {
    return this.request('GET', '/api/people');
  }

  signOut() {
    return this.request('POST', '/api/signout', { as: 'none' });
  }

  reports() {
    return this.request('GET', '/api/reports');
  }

  createReport(title) {
    return this.request('POST', '/api/reports', { body: { title } });
  }

  importDraft(text, language) {
    return this.request('POST', `/api/reports/import?language=${encodeURIComponent(language)}`, {
      body: text,
      contentType: 'text/plain; charset=utf-8',
    });
  }

  placeholders(reportId) {
    return this.request('GET', `/api/reports/${reportId}/placeholders`);
  }

  /** The report as it was at `version`: {version, report}. */
  reportAt(reportId, version) {
    return this.request('GET', `/api/reports/${reportId}?at=${version}`);
  }

  /** The events after `filters.after` that pass the filters, oldest first, each with its
   * one-line summary: {events: [{event, summary}], next_after}. `filters` holds actor (a user
   * id), type, paragraph, chapter, since, until, after, limit; empty ones are left out. */
  history(reportId, filters) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) if (value !== null && value !== undefined && value !== '') query.set(name, String(value));
    return this.request('GET', `/api/reports/${reportId}/history?${query}`);
  }

  /** The report rendered as HTML: now, or at `version`. */
  renderedHtml(reportId, version = null) {
    const at = version === null ? '' : `&at=${version}`;
    return this.request('GET', `/api/reports/${reportId}/render?format=html${at}`, { as: 'text' });
  }
}

export function renderUrl(reportId, format) {
  return `/api/reports/${reportId}/render?format=${format}`;
}
