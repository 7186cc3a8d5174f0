// The live round page: votes, tallies, new proposals and topics as they happen.
import { api } from './api.js';
import { showErrors } from './forms.js';
import { announce, formatLeft, plural, t } from './i18n.js';
import { startLive } from './live.js';
import { setMyVote, setTally } from './tally.js';

const PLACEHOLDER = '999999999';
const roundId = Number(document.body.dataset.roundId);

function proposalEl(id) {
  return document.getElementById(`proposal-${id}`);
}

// Voting: the form posts to the page route without JavaScript; with it, the API answers with
// the new tally at once.
document.addEventListener('submit', async (e) => {
  const form = e.target.closest('form[data-vote]');
  if (!form) return;
  e.preventDefault();
  const el = form.closest('[data-proposal-id]');
  const id = el.dataset.proposalId;
  const choice = e.submitter?.value;
  if (!choice) return;
  form.setAttribute('aria-busy', 'true');
  try {
    if (choice === 'withdraw') {
      await api('DELETE', `/api/v1/proposals/${id}/vote`);
      setMyVote(el, '');
    } else {
      const res = await api('PUT', `/api/v1/proposals/${id}/vote`, { choice });
      setTally(el, res.tally);
      setMyVote(el, res.choice || choice);
    }
    showErrors(form, { fields: {} });
    form.querySelector('.form-error').textContent = '';
  } catch (err) {
    showErrors(form, err);
  } finally {
    form.removeAttribute('aria-busy');
  }
});

function fromTemplate(id, objectId) {
  const tpl = document.getElementById(id);
  const html = tpl.innerHTML.replaceAll(PLACEHOLDER, String(objectId));
  const box = document.createElement('div');
  box.innerHTML = html; // our own markup; the only foreign HTML is set below, sanitised by the server
  return box.firstElementChild;
}

function addProposal(p) {
  if (proposalEl(p.id)) return;
  const el = fromTemplate('proposal-template', p.id);
  el.querySelector('[data-field="title"]').textContent = p.title;
  el.querySelector('[data-field="author"]').textContent = p.author?.name || '';
  el.querySelector('[data-field="body"]').innerHTML = p.body_html || '';
  document.querySelector('[data-proposals]').append(el);
  document.querySelector('[data-proposals-empty]')?.setAttribute('hidden', '');
  setTally(el, p.tally || {});
  return el;
}

function addTopic(tp) {
  if (document.querySelector(`[data-topic-id="${tp.id}"]`)) return;
  const el = fromTemplate('topic-template', tp.id);
  const link = el.querySelector('[data-field="link"]');
  link.href = `/topics/${tp.id}`;
  link.textContent = tp.title;
  el.querySelector('[data-field="author"]').textContent = tp.author?.name || '';
  el.querySelector('[data-field="count"]').textContent = plural('topic.posts', tp.post_count || 0);
  document.querySelector('[data-topics]').append(el);
  document.querySelector('[data-topics-empty]')?.setAttribute('hidden', '');
}

function bumpPostCount(topicId) {
  const el = document.querySelector(`[data-topic-id="${topicId}"] [data-field="count"]`);
  if (!el) return;
  const n = (Number.parseInt(el.dataset.n ?? el.textContent, 10) || 0) + 1;
  el.dataset.n = String(n);
  el.textContent = plural('topic.posts', n);
}

// A secret ballot's vote events carry no tally: where the round shows tallies live, read the
// new one over HTTP, once per burst.
const refreshing = new Set();
function refreshTally(id) {
  const el = proposalEl(id);
  if (!el?.querySelector('[data-tally]') || refreshing.has(id)) return;
  refreshing.add(id);
  setTimeout(async () => {
    refreshing.delete(id);
    try {
      const p = await api('GET', `/api/v1/proposals/${id}`);
      if (p?.tally) setTally(el, p.tally, { speak: true });
    } catch { /* the next vote or a reload shows it */ }
  }, 300);
}

function onEvent(ev) {
  if (ev.round_id !== roundId && ev.data?.id !== roundId) return;
  const d = ev.data || {};
  switch (ev.type) {
    case 'vote.cast':
    case 'vote.withdrawn':
      if (d.tally) setTally(proposalEl(d.proposal_id), d.tally, { speak: true });
      else refreshTally(d.proposal_id);
      break;
    case 'proposal.created':
      if (addProposal(d)) announce(t('js.new_proposal', d.title));
      break;
    case 'topic.created':
      addTopic(d);
      break;
    case 'post.created':
      bumpPostCount(d.topic_id);
      break;
    case 'round.opened':
    case 'round.closed':
    case 'round.updated':
      announce(t('js.round_changed'));
      setTimeout(() => window.location.reload(), 400);
      break;
    default:
  }
}

// Created here: show it at once rather than wait for its event.
document.addEventListener('api:success', (e) => {
  const d = e.detail;
  if (!d?.id) return;
  if (e.target.matches('[data-api*="/proposals"]')) addProposal(d);
});

// Time left, kept current once a minute.
const left = document.querySelector('[data-closes-at]');
function tick() {
  const iso = left?.dataset.closesAt;
  if (!iso) return;
  const span = left.querySelector('[data-left]');
  const ms = new Date(iso).getTime() - Date.now();
  if (span) span.textContent = ms > 0 ? t('js.left', formatLeft(ms)) : t('js.closing');
}
if (left?.dataset.closesAt) {
  tick();
  setInterval(tick, 30000);
}

startLive(onEvent);
