// Translations for the scripts: the page embeds them as JSON (see layout.html), so every
// string a script shows comes from the same files as the page's own.
const el = document.getElementById('i18n-data');
const strings = el ? JSON.parse(el.textContent || '{}') : {};

/** The page's language ("bg" or "en"). */
export const lang = document.documentElement.lang || 'bg';

/** sprintf formats like Go's fmt for the verbs the translations use: %s, %d, %[n]s, %[n]d, %%. */
export function sprintf(format, ...args) {
  let next = 0;
  return String(format).replace(/%(?:\[(\d+)\])?([sd%])/g, (m, index, verb) => {
    if (verb === '%') return '%';
    const i = index ? Number(index) - 1 : next;
    next = i + 1;
    const v = args[i];
    return verb === 'd' ? String(Math.trunc(Number(v) || 0)) : String(v ?? '');
  });
}

/** t returns the translation of key formatted with args, or the key itself when missing. */
export function t(key, ...args) {
  const s = strings[key];
  return s === undefined ? key : sprintf(s, ...args);
}

/** plural picks the form of key for n (Bulgarian and English: one for 1, other otherwise). */
export function plural(key, n, ...args) {
  const form = Math.abs(n) === 1 ? 'one' : 'other';
  const s = strings[`${key}.${form}`] ?? strings[`${key}.other`];
  return s === undefined ? key : sprintf(s, n, ...args);
}

const sofia = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Sofia', year: 'numeric', month: 'numeric', day: 'numeric',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** formatDateTime writes an RFC 3339 time as the pages do: in Europe/Sofia, in the page's words. */
export function formatDateTime(iso) {
  const parts = Object.fromEntries(sofia.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return t('format.datetime', Number(parts.day), t(`month.${Number(parts.month)}`), Number(parts.year), `${parts.hour}:${parts.minute}`);
}

/** timeElement builds a <time> element like the server's datetime template function. */
export function timeElement(iso) {
  const el = document.createElement('time');
  el.dateTime = iso;
  el.textContent = formatDateTime(iso);
  return el;
}

/** formatLeft writes the time left until a deadline like the server does; "" once passed. */
export function formatLeft(ms) {
  if (ms <= 0) return '';
  const mins = Math.ceil(ms / 60000);
  const days = Math.floor(mins / 1440);
  const hours = Math.floor(mins / 60) % 24;
  const m = mins % 60;
  if (days > 0 && hours === 0) return t('js.left.format1', plural('unit.days', days));
  if (days > 0) return t('js.left.format2', plural('unit.days', days), plural('unit.hours', hours));
  if (hours > 0 && m === 0) return t('js.left.format1', plural('unit.hours', hours));
  if (hours > 0) return t('js.left.format2', plural('unit.hours', hours), plural('unit.minutes', m));
  return t('js.left.format1', plural('unit.minutes', m));
}

/** langOf guesses the language of people's text like the server does: "bg" when most letters
 * are Cyrillic, "en" when most are Latin, "" when there are too few to tell. */
export function langOf(text) {
  const s = String(text || '').slice(0, 2000);
  const cyr = (s.match(/\p{Script=Cyrillic}/gu) || []).length;
  const lat = (s.match(/\p{Script=Latin}/gu) || []).length;
  if (cyr + lat < 3) return '';
  return cyr >= lat ? 'bg' : 'en';
}

/** markLang sets el's lang to that of text where it differs from the page's (WCAG 3.1.2). */
export function markLang(el, text) {
  const l = langOf(text);
  if (l && l !== lang) el.setAttribute('lang', l);
  else el.removeAttribute('lang');
}

/** announce reads a short message to screen readers through the page's polite live region. */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick makes screen readers speak repeated messages too.
  setTimeout(() => { region.textContent = message; }, 30);
}
