// Tallies on the page: numbers and bars updated in place, changes announced to screen readers.
import { announce, t } from './i18n.js';

const CHOICES = ['for', 'against', 'abstain'];
const pending = new Map();

function pct(n, total) {
  if (!total || n <= 0) return 0;
  return Math.min(100, Math.max(0, Math.round((n * 100) / total)));
}

/** setTally writes tally {for, against, abstain, voters} into a proposal's element. */
export function setTally(proposalEl, tally, { speak = false } = {}) {
  const box = proposalEl?.querySelector('[data-tally]');
  if (!box) return;
  let changed = false;
  for (const key of [...CHOICES, 'voters']) {
    const dd = box.querySelector(`[data-count="${key}"]`);
    const value = String(tally[key] ?? 0);
    if (dd && dd.textContent !== value) {
      dd.textContent = value;
      dd.classList.remove('changed');
      void dd.offsetWidth; // restart the highlight
      dd.classList.add('changed');
      changed = true;
    }
  }
  for (const key of CHOICES) {
    const seg = box.querySelector(`[data-seg="${key}"]`);
    if (!seg) continue;
    seg.className = seg.className.replace(/\bw-\d+\b/, '').trim();
    seg.classList.add(`w-${pct(tally[key] ?? 0, tally.voters ?? 0)}`);
  }
  if (changed && speak) announceLater(proposalEl, tally);
}

// Announce at most one tally per proposal per second, the latest one, so a burst of votes
// is read once rather than queued up.
function announceLater(proposalEl, tally) {
  const id = proposalEl.id;
  const already = pending.has(id);
  pending.set(id, tally);
  if (already) return;
  setTimeout(() => {
    const last = pending.get(id);
    pending.delete(id);
    const title = proposalEl.querySelector('[data-field="title"]')?.textContent?.trim() || '';
    announce(t('js.announce_tally', title, last.for ?? 0, last.against ?? 0, last.abstain ?? 0));
  }, 1000);
}

/** setMyVote shows the viewer's choice on a proposal's buttons ("" for none). */
export function setMyVote(proposalEl, choice) {
  for (const b of proposalEl.querySelectorAll('.vote-btn[name="choice"]')) {
    if (b.value === 'withdraw') b.hidden = !choice;
    else b.setAttribute('aria-pressed', String(b.value === choice));
  }
  const note = proposalEl.querySelector('[data-my-vote]');
  if (note) note.textContent = choice ? t('js.you_voted', t(`vote.${choice}`)) : t('js.not_voted');
}
