// The live round page: votes, tallies, new proposals and topics as they happen.
import { api } from './api.js';
import { showErrors } from './forms.js';
import { announce, formatLeft, markLang, plural, t } from './i18n.js';
import { startLive } from './live.js';
import { setMyVote, setTally } from './tally.js';

const PLACEHOLDER = '999999999';
const roundId = Number(document.body.dataset.roundId);
// The viewer, where they may table proposals: their own come with edit and withdraw buttons.
const viewerId = Number(document.getElementById('proposal-template-mine')?.dataset.viewerId || 0);

function proposalEl(id) {
  return document.getElementById(`proposal-${id}`);
}

// Votes cast in another tab of this browser show here too: the tab that voted tells the others.
const votes = 'BroadcastChannel' in window ? new BroadcastChannel('council-votes') : null;
votes?.addEventListener('message', (m) => {
  const { proposalId, choice } = m.data || {};
  const el = proposalEl(proposalId);
  if (el) setMyVote(el, choice || '');
});

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
    let mine = '';
    if (choice === 'withdraw') {
      await api('DELETE', `/api/v1/proposals/${id}/vote`);
      setMyVote(el, '');
      // The withdraw button is gone: keep the keyboard where the vote is told.
      const note = el.querySelector('[data-my-vote]');
      note?.focus();
      // The page may move as the tally and quorum lines change: keep the line in view.
      requestAnimationFrame(() => note?.scrollIntoView({ block: 'nearest' }));
      announce(t('js.vote_withdrawn'));
    } else {
      const body = { choice };
      const reason = form.querySelector('[name="reason"]')?.value.trim();
      if (reason) body.reason = reason;
      const res = await api('PUT', `/api/v1/proposals/${id}/vote`, body);
      if (res.tally) setTally(el, res.tally);
      mine = res.choice || choice;
      setMyVote(el, mine);
    }
    votes?.postMessage({ proposalId: Number(id), choice: mine });
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

function addProposal(p, { mine = false } = {}) {
  if (proposalEl(p.id)) return;
  const own = mine && viewerId > 0;
  const el = fromTemplate(own ? 'proposal-template-mine' : 'proposal-template', p.id);
  fillProposal(el, p);
  if (own) {
    // The edit form starts from the proposal as tabled.
    el.querySelector(`#pe-title-${p.id}`).value = p.title;
    el.querySelector(`#pe-body-${p.id}`).value = p.body || '';
  }
  el.querySelector('[data-field="author"]').textContent = p.author?.name || '';
  if (p.topic_id) {
    el.querySelector('[data-field="topic"]').hidden = false;
    const link = el.querySelector('[data-field="topic-link"]');
    link.href = `/topics/${p.topic_id}`;
    const topic = document.querySelector(`[data-topic-id="${p.topic_id}"] [data-field="link"]`)?.textContent || '';
    link.textContent = t('js.from_topic', topic);
  }
  document.querySelector('[data-proposals]').append(el);
  document.querySelector('[data-proposals-empty]')?.setAttribute('hidden', '');
  setTally(el, p.tally || {});
  setQuorum(el, p.voters || 0);
  return el;
}

// fillProposal writes a proposal's title and text, marked with their language where it is not
// the page's.
function fillProposal(el, p) {
  const title = el.querySelector('[data-field="title"]');
  title.textContent = p.title;
  markLang(title, p.title);
  const body = el.querySelector('[data-field="body"]');
  body.innerHTML = p.body_html || ''; // sanitised by the server
  markLang(body, p.body);
}

function editProposal(p) {
  const el = proposalEl(p.id);
  if (!el) return;
  fillProposal(el, p);
  const edited = el.querySelector('[data-field="edited"]');
  if (edited) edited.hidden = false;
}

function withdrawProposal(id) {
  const el = proposalEl(id);
  if (!el || el.classList.contains('proposal-withdrawn')) return;
  el.classList.add('proposal-withdrawn');
  for (const sel of ['[data-tally]', '[data-tally-hidden]', '[data-quorum]', 'form[data-vote]', '[data-roll-call-box]', '[data-author-actions]']) {
    el.querySelector(sel)?.remove();
  }
  const note = document.createElement('p');
  note.className = 'hidden-note';
  note.textContent = t('js.proposal_withdrawn');
  el.querySelector('[data-field="body"]').before(note);
  updateCloseWarning();
}

// Quorum progress: "voted 4 of 7 · quorum (30 %) reached", kept current from the vote events.
function setQuorum(el, voters) {
  const q = el?.querySelector('[data-quorum]');
  if (!q) return;
  const eligible = Number(q.dataset.eligible);
  const quorum = Number(q.dataset.quorumPercent);
  q.dataset.voters = String(voters);
  q.querySelector('[data-turnout]').textContent = t('js.round_turnout', voters, eligible);
  const need = Math.max(Math.ceil((quorum * eligible) / 100) - voters, 0);
  q.querySelector('[data-quorum-state]').textContent = voters * 100 >= quorum * eligible
    ? t('js.quorum_met', quorum) : plural('js.quorum_short', need, quorum);
  updateCloseWarning();
}

// The close form warns, before and at the moment of closing, when some proposals lack quorum.
function lacking() {
  let n = 0;
  for (const q of document.querySelectorAll('[data-quorum]')) {
    if (Number(q.dataset.voters) * 100 < Number(q.dataset.quorumPercent) * Number(q.dataset.eligible)) n += 1;
  }
  return n;
}

function updateCloseWarning() {
  const warning = document.querySelector('[data-quorum-warning]');
  if (!warning) return;
  const n = lacking();
  warning.hidden = n === 0;
  warning.textContent = n ? plural('js.close_no_quorum', n) : '';
}

const closeForm = document.getElementById('close-round');
if (closeForm) {
  const confirmText = closeForm.dataset.confirm;
  // Runs before the page's form handler (capturing, on the form itself): the question asked
  // says what closing now would do to proposals without quorum.
  closeForm.addEventListener('submit', () => {
    const n = lacking();
    closeForm.dataset.confirm = n ? `${plural('js.close_no_quorum', n)}\n\n${confirmText}` : confirmText;
  }, { capture: true });
}

// The roll call of an open ballot, kept current: one line per voter, in the order voted.
function setRollCall(el, voter, choice, reason) {
  const list = el?.querySelector('[data-roll-call]');
  if (!list || !voter) return;
  list.querySelector(`[data-voter-id="${voter.id}"]`)?.remove();
  if (choice) {
    const li = document.createElement('li');
    li.dataset.voterId = String(voter.id);
    const name = document.createElement('span');
    name.className = 'voter';
    name.textContent = voter.name;
    const c = document.createElement('span');
    c.className = `vote-choice vote-choice-${choice}`;
    c.dataset.choice = choice;
    c.textContent = t(`vote.${choice}`);
    li.append(name, ' ', c);
    if (reason) {
      const q = document.createElement('q');
      q.className = 'reason';
      q.textContent = reason;
      markLang(q, reason);
      li.append(' ', q);
    }
    list.append(li);
  }
  el.querySelector('[data-roll-call-empty]')?.toggleAttribute('hidden', list.children.length > 0);
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
    case 'vote.withdrawn': {
      const el = proposalEl(d.proposal_id);
      if (d.tally) setTally(el, d.tally, { speak: true });
      else refreshTally(d.proposal_id);
      if (typeof d.voters === 'number') setQuorum(el, d.voters);
      setRollCall(el, d.voter, ev.type === 'vote.cast' ? d.choice : '', d.reason);
      break;
    }
    case 'proposal.created':
      // One's own proposal may arrive here before the answer to tabling it, or from another
      // tab: it comes with its author's buttons either way.
      if (addProposal(d, { mine: d.author?.id === viewerId })) announce(t('js.new_proposal', d.title));
      break;
    case 'proposal.edited':
      editProposal(d);
      break;
    case 'proposal.withdrawn':
      withdrawProposal(d.proposal_id ?? d.id);
      announce(t('js.proposal_withdrawn'));
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
  if (e.target.matches('[data-api^="POST"][data-api$="/proposals"]')) addProposal(d, { mine: true });
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
