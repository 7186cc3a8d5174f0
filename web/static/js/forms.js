// Forms marked data-api="METHOD /api/v1/path" are sent to the JSON API as JSON instead of being
// posted; data-then says what follows success: "reload", "clear", "invite", or "go:/path/{field}".
import { api, ApiError } from './api.js';
import { markLang, t } from './i18n.js';
import { sofiaToISO } from './sofia.js';

/** formJSON turns a form's named fields into the API's body: data-type="int"|"datetime"|"bool"
 * converts (a datetime is typed in Sofia time, whatever the browser's zone), data-optional
 * omits empty values, and "csrf_token" is never sent. */
export function formJSON(form, submitter) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.name === 'csrf_token' || el.disabled || el.type === 'submit' || el.type === 'button') continue;
    if (el.dataset.type === 'bool') {
      out[el.name] = el.checked;
      continue;
    }
    let v = el.value;
    if (el.dataset.optional !== undefined && v === '') continue;
    if (el.dataset.type === 'int') v = v === '' ? 0 : Number.parseInt(v, 10);
    if (el.dataset.type === 'datetime' && v !== '') v = sofiaToISO(v);
    out[el.name] = v;
  }
  if (submitter?.name) out[submitter.name] = submitter.value;
  return out;
}

/** showErrors writes an API error into the form: its message and each field's problem. */
export function showErrors(form, err) {
  const box = form.querySelector('.form-error');
  if (box) box.textContent = err instanceof ApiError ? err.userMessage : t('js.error.generic');
  for (const fe of form.querySelectorAll('[data-error-for]')) {
    fe.textContent = err instanceof ApiError ? err.fieldMessage(fe.dataset.errorFor) : '';
    const input = form.querySelector(`[name="${fe.dataset.errorFor}"]`);
    if (input) {
      if (fe.textContent) {
        input.setAttribute('aria-invalid', 'true');
        if (!fe.id) fe.id = `err-${fe.dataset.errorFor}-${Math.random().toString(36).slice(2, 8)}`;
        input.setAttribute('aria-errormessage', fe.id);
      } else {
        input.removeAttribute('aria-invalid');
      }
    }
  }
}

function clearErrors(form) {
  showErrors(form, { fields: {} });
  const box = form.querySelector('.form-error');
  if (box) box.textContent = '';
}

function fill(template, data) {
  return template.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(data?.[k] ?? ''));
}

async function submitApiForm(form, submitter) {
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  const [method, url] = form.dataset.api.split(' ');
  const body = method === 'DELETE' ? undefined : formJSON(form, submitter);
  const button = submitter || form.querySelector('[type=submit]');
  button?.setAttribute('aria-busy', 'true');
  if (button) button.disabled = true;
  try {
    const data = await api(method, url, body);
    clearErrors(form);
    form.dispatchEvent(new CustomEvent('api:success', { bubbles: true, detail: data }));
    const then = form.dataset.then || 'reload';
    if (then === 'reload') window.location.reload();
    else if (then === 'clear') form.reset();
    else if (then === 'none') { /* the page's own script shows the change */ }
    else if (then.startsWith('go:')) window.location.assign(fill(then.slice(3), data));
    else if (then === 'invite') showInvite(form, data);
  } catch (err) {
    showErrors(form, err);
    // A link shown for the previous invitation is not this one's.
    form.querySelector('[data-invite-result]')?.setAttribute('hidden', '');
  } finally {
    button?.removeAttribute('aria-busy');
    if (button) button.disabled = false;
  }
}

function showInvite(form, data) {
  const box = form.querySelector('[data-invite-result]');
  const input = form.querySelector('[data-invite-url]');
  if (!box || !input) return;
  form.reset(); // ready for the next person; the link stays until then
  input.value = data.invite_url || `${window.location.origin}/invitations/${data.token}`;
  box.hidden = false;
  input.focus();
  input.select();
}

// showPreview shows, below a Markdown field, the text as it will read once sent: rendered and
// sanitised by the server, exactly as it will be published.
async function showPreview(button) {
  const source = document.getElementById(button.dataset.preview);
  const box = document.getElementById(`preview-${button.dataset.preview}`);
  if (!source || !box) return;
  button.setAttribute('aria-busy', 'true');
  try {
    const res = await api('POST', '/api/v1/preview', { body: source.value });
    box.innerHTML = res.body_html || `<p class="muted">${t('js.preview_empty')}</p>`; // sanitised by the server
    markLang(box, source.value);
    box.hidden = false;
    box.focus();
  } catch (err) {
    box.textContent = err instanceof ApiError ? err.userMessage : t('js.error.generic');
    box.hidden = false;
  } finally {
    button.removeAttribute('aria-busy');
  }
}

/** wireForms makes every data-api form of the page send itself to the API. */
export function wireForms(root = document) {
  root.addEventListener('submit', (e) => {
    const form = e.target.closest('form[data-api]');
    if (!form) return;
    e.preventDefault();
    submitApiForm(form, e.submitter);
  });
  root.addEventListener('click', async (e) => {
    const copy = e.target.closest('[data-copy]');
    if (copy) {
      const input = document.querySelector(copy.dataset.copy);
      input?.select();
      try {
        await navigator.clipboard.writeText(input.value);
        copy.textContent = t('js.copied');
      } catch { /* the text stays selected for copying by hand */ }
    }
    if (e.target.closest('[data-print]')) window.print();
    const preview = e.target.closest('[data-preview]');
    if (preview) showPreview(preview);
  });
}
