// Calls to the JSON API: same origin, the session cookie, and the CSRF token from the page.
import { t } from './i18n.js';

/** fieldError translates a field error code: the field's own wording, else the code's. */
export function fieldError(field, code) {
  for (const key of [`field.error.${field}.${code}`, `field.error.${code}`]) {
    const s = t(key);
    if (s !== key) return s;
  }
  return t('field.error.invalid');
}

const meta = document.querySelector('meta[name="csrf-token"]');

/** ApiError carries the API's error code, its message and any field problems. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error || (status === 0 ? 'network' : 'generic');
    this.fields = body?.fields || {};
    this.fieldCodes = body?.field_codes || {};
    this.reason = body?.reason || '';
  }

  /** fieldMessage is what is wrong with one field, in the page's language ('' when nothing). */
  fieldMessage(field) {
    const code = this.fieldCodes[field];
    return code ? fieldError(field, code) : '';
  }

  /** userMessage is the error in the page's language: a problem with one field, or a conflict
   * with its reason, says what it is about; several fields' problems point to the fields. */
  get userMessage() {
    const fields = Object.keys(this.fieldCodes);
    if (fields.length === 1) return this.fieldMessage(fields[0]);
    if (fields.length > 1) return t('js.error.fields');
    if (this.reason) {
      const s = t(`js.conflict.${this.reason}`);
      if (s !== `js.conflict.${this.reason}`) return s;
    }
    const key = `js.error.${this.code}`;
    const s = t(key);
    return s === key ? t('js.error.generic') : s;
  }
}

/** api sends one request and returns the decoded JSON answer (null for 204). */
export async function api(method, url, body) {
  const headers = { Accept: 'application/json' };
  if (meta?.content) headers['X-CSRF-Token'] = meta.content;
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError(0, null);
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
