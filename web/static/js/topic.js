// The live topic page: posts, edits and hidden posts as they happen; replies without reload.
import { api } from './api.js';
import { announce, markLang, t, timeElement } from './i18n.js';
import { startLive } from './live.js';

const PLACEHOLDER = '999999999';
const topicId = Number(document.body.dataset.topicId);
const roundId = Number(document.body.dataset.roundId);
const form = document.querySelector('form[data-new-post]');
// The viewer, where they may write: their own posts come with edit and delete buttons.
const viewerId = Number(document.getElementById('post-template-mine')?.dataset.viewerId || 0);

// The page shows one page of the topic's posts: posts arriving live belong only on the last.
const postsBox = document.querySelector('[data-posts]');
const onLastPage = !postsBox || postsBox.hasAttribute('data-last-page');
const pageSize = Number(postsBox?.dataset.pageSize || 20);

// pageOf is the page of the topic's posts that holds the post numbered n.
function pageOf(n) {
  return Math.floor((Math.max(Number(n) || 1, 1) - 1) / pageSize) + 1;
}

function postEl(id) {
  return document.getElementById(`post-${id}`);
}

function numberOf(id) {
  return postEl(id)?.dataset.number || String(id);
}

function addPost(p, { mine = false } = {}) {
  if (postEl(p.id) || !onLastPage) return null;
  // One's own post comes with its edit and delete buttons, as after a reload.
  const tpl = (mine && document.getElementById('post-template-mine')) || document.getElementById('post-template');
  const box = document.createElement('div');
  box.innerHTML = tpl.innerHTML.replaceAll(PLACEHOLDER, String(p.id)); // our own markup
  const el = box.firstElementChild;
  el.dataset.number = String(p.number || '');
  el.querySelector('[data-field="number"]').textContent = `#${p.number || ''}`;
  el.querySelector('[data-field="author"]').textContent = p.author?.name || '';
  el.querySelector('[data-field="time"]').replaceChildren(timeElement(p.created_at));
  const body = el.querySelector('[data-body]');
  body.innerHTML = p.body_html || ''; // sanitised by the server
  markLang(body, p.body);
  const source = el.querySelector('[data-field="source"]');
  if (source) source.value = p.body || '';
  const reply = el.querySelector('[data-field="reply"]');
  if (p.reply_to) {
    reply.href = `#post-${p.reply_to}`;
    reply.textContent = t('post.in_reply_to', numberOf(p.reply_to));
    reply.hidden = false;
  }
  el.classList.add('is-new');
  document.querySelector('[data-posts]').append(el);
  document.querySelector('[data-posts-empty]')?.setAttribute('hidden', '');
  return el;
}

function editPost(p) {
  const el = postEl(p.id);
  if (!el) return;
  const body = el.querySelector('[data-body]');
  if (body) {
    body.innerHTML = p.body_html || '';
    markLang(body, p.body);
  }
  const edited = el.querySelector('[data-field="edited"]');
  if (edited) edited.hidden = false;
}

// A post taken out of view keeps its place with a note: hidden by a moderator, or deleted by
// its author.
function replaceWithNote(id, cls, text) {
  const el = postEl(id);
  if (!el || el.classList.contains(cls)) return;
  el.classList.add(cls);
  el.querySelector('[data-body]')?.remove();
  el.querySelector('.post-actions')?.remove();
  el.querySelector('[data-note]')?.remove();
  const note = document.createElement('p');
  note.className = 'hidden-note';
  note.dataset.note = '';
  note.textContent = text;
  el.querySelector('.post-meta').after(note);
}

function hidePost(d) {
  replaceWithNote(d.post_id, 'post-hidden', t('js.post_hidden') + (d.reason ? ` ${d.reason}` : ''));
}

function deletePost(id) {
  replaceWithNote(id, 'post-deleted', t('js.post_deleted'));
}

// A post shown again: read its text back (the event does not carry it) and show it.
async function unhidePost(id) {
  const el = postEl(id);
  if (!el) return;
  try {
    const tp = await api('GET', `/api/v1/topics/${topicId}?page=${pageOf(el.dataset.number)}`);
    const p = (tp.posts || []).find((x) => x.id === id);
    if (!p || p.hidden) return;
    el.classList.remove('post-hidden');
    el.querySelector('[data-note]')?.remove();
    el.querySelector('.moderator-view')?.remove();
    const body = document.createElement('div');
    body.className = 'post-body prose';
    body.dataset.body = '';
    body.innerHTML = p.body_html || ''; // sanitised by the server
    markLang(body, p.body);
    el.querySelector('.post-meta').after(body);
    addReplyLink(el, id);
    announce(t('js.post_unhidden'));
  } catch { /* a reload shows it */ }
}

// addReplyLink gives a post shown again the reply link a hidden post lacks, where the viewer
// may write.
function addReplyLink(el, id) {
  const actions = el.querySelector('.post-actions');
  if (!form || !actions || actions.querySelector('[data-reply]')) return;
  const a = document.createElement('a');
  a.href = `?reply_to=${id}#new-post`;
  a.className = 'action';
  a.dataset.reply = String(id);
  a.textContent = t('post.reply');
  actions.prepend(a);
}

function onEvent(ev) {
  const d = ev.data || {};
  switch (ev.type) {
    case 'post.created':
      // One's own post may arrive here before the answer to sending it, or from another tab:
      // it comes with its author's buttons either way.
      if (d.topic_id === topicId && addPost(d, { mine: viewerId > 0 && d.author?.id === viewerId })) announce(t('js.new_post', d.author?.name || ''));
      break;
    case 'post.edited':
      if (d.topic_id === topicId) editPost(d);
      break;
    case 'post.hidden':
      if (d.topic_id === topicId) hidePost(d);
      break;
    case 'post.deleted':
      if (d.topic_id === topicId) deletePost(d.post_id);
      break;
    case 'post.unhidden':
      if (d.topic_id === topicId) unhidePost(d.post_id);
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
    note.querySelector('[data-reply-id]').textContent = numberOf(id);
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
  if (!onLastPage) {
    // Written from an earlier page: show it where it is, on the last page.
    window.location.assign(`/topics/${topicId}?page=${pageOf(e.detail.number)}#post-${e.detail.id}`);
    return;
  }
  addPost(e.detail, { mine: true });
  setReply(null);
});

// One's own post deleted here: show it at once rather than wait for its event.
document.addEventListener('api:success', (e) => {
  const del = e.target.closest('[data-delete-post]');
  if (del) deletePost(Number(del.closest('[data-post-id]').dataset.postId));
});

startLive(onEvent);
