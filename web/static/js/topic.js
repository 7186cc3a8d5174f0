// The live topic page: posts, edits and hidden posts as they happen; replies without reload.
import { announce, t, timeElement } from './i18n.js';
import { startLive } from './live.js';

const PLACEHOLDER = '999999999';
const topicId = Number(document.body.dataset.topicId);
const roundId = Number(document.body.dataset.roundId);
const form = document.querySelector('form[data-new-post]');

function postEl(id) {
  return document.getElementById(`post-${id}`);
}

function addPost(p, { mine = false } = {}) {
  if (postEl(p.id)) return null;
  const tpl = document.getElementById('post-template');
  const box = document.createElement('div');
  box.innerHTML = tpl.innerHTML.replaceAll(PLACEHOLDER, String(p.id)); // our own markup
  const el = box.firstElementChild;
  el.querySelector('[data-field="author"]').textContent = p.author?.name || '';
  el.querySelector('[data-field="time"]').replaceChildren(timeElement(p.created_at));
  el.querySelector('[data-body]').innerHTML = p.body_html || ''; // sanitised by the server
  const reply = el.querySelector('[data-field="reply"]');
  if (p.reply_to) {
    reply.href = `#post-${p.reply_to}`;
    reply.textContent = t('post.in_reply_to', p.reply_to);
    reply.hidden = false;
  }
  if (mine) el.querySelectorAll('details').forEach((d) => d.remove()); // edit and hide after a reload
  el.classList.add('is-new');
  document.querySelector('[data-posts]').append(el);
  document.querySelector('[data-posts-empty]')?.setAttribute('hidden', '');
  return el;
}

function editPost(p) {
  const el = postEl(p.id);
  if (!el) return;
  const body = el.querySelector('[data-body]');
  if (body) body.innerHTML = p.body_html || '';
  const edited = el.querySelector('[data-field="edited"]');
  if (edited) edited.hidden = false;
}

function hidePost(d) {
  const el = postEl(d.post_id);
  if (!el || el.classList.contains('post-hidden')) return;
  el.classList.add('post-hidden');
  el.querySelector('[data-body]')?.remove();
  el.querySelector('.post-actions')?.remove();
  const note = document.createElement('p');
  note.className = 'hidden-note';
  note.textContent = t('js.post_hidden') + (d.reason ? ` ${d.reason}` : '');
  el.querySelector('.post-meta').after(note);
}

function onEvent(ev) {
  const d = ev.data || {};
  switch (ev.type) {
    case 'post.created':
      if (d.topic_id === topicId && addPost(d)) announce(t('js.new_post', d.author?.name || ''));
      break;
    case 'post.edited':
      if (d.topic_id === topicId) editPost(d);
      break;
    case 'post.hidden':
      if (d.topic_id === topicId) hidePost(d);
      break;
    case 'round.opened':
    case 'round.closed':
      if (ev.round_id === roundId) {
        announce(t('js.round_changed'));
        setTimeout(() => window.location.reload(), 400);
      }
      break;
    default:
  }
}

// Replies: pick the post to answer without leaving the page.
function setReply(id) {
  if (!form) return;
  form.querySelector('[name="reply_to"]').value = id ? String(id) : '';
  const note = form.querySelector('[data-reply-note]');
  note.hidden = !id;
  if (id) {
    note.querySelector('[data-reply-id]').textContent = String(id);
    note.querySelector('[data-reply-link]').href = `#post-${id}`;
  }
}

document.addEventListener('click', (e) => {
  const reply = e.target.closest('[data-reply]');
  if (reply && form) {
    e.preventDefault();
    setReply(reply.dataset.reply);
    form.querySelector('textarea').focus();
  }
  if (e.target.closest('[data-reply-cancel]')) setReply(null);
});

form?.addEventListener('api:success', (e) => {
  addPost(e.detail, { mine: true });
  setReply(null);
});

startLive(onEvent);
