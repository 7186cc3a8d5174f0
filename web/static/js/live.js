// The live connection to a council's events: one websocket that resumes with after=<last seq>
// after any drop, with backoff, and shows a quiet "reconnecting…" state while away.
import { t } from './i18n.js';

const MIN_DELAY = 250;
const MAX_DELAY = 8000;
const QUIET_MS = 800; // a drop shorter than this is not worth showing

/** Live follows one council's events and hands each new one to onEvent, in seq order. */
export class Live {
  /**
   * @param {number} councilId
   * @param {number} lastSeq the seq the page was rendered at
   * @param {{onEvent: (ev: object) => void, onResync: () => void}} handlers
   */
  constructor(councilId, lastSeq, lastAt, handlers) {
    this.councilId = councilId;
    this.lastSeq = lastSeq;
    this.lastAt = lastAt; // the "at" of event lastSeq: with it the server tells a restored record
    this.handlers = handlers;
    this.attempt = 0;
    this.down = false;
    this.ws = null;
    this.timer = null;
    this.statusTimer = null;
    this.status = document.getElementById('live-status');
  }

  /** start connects and keeps reconnecting until the page goes away. */
  start() {
    this.connect();
    window.addEventListener('online', () => this.reconnectNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && (!this.ws || this.ws.readyState > 1)) this.reconnectNow();
    });
    window.addEventListener('pagehide', () => { this.stopped = true; this.ws?.close(1000); });
  }

  url() {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const at = this.lastAt && this.lastSeq > 0 ? `&at=${encodeURIComponent(this.lastAt)}` : '';
    return `${proto}//${window.location.host}/api/v1/councils/${this.councilId}/live?after=${this.lastSeq}${at}`;
  }

  connect() {
    clearTimeout(this.timer);
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.attempt = 0;
      this.setDown(false);
      document.body.dataset.live = 'connected';
    });
    ws.addEventListener('message', (m) => this.receive(m.data));
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (e.code === 4003) {
        // No longer a member of this council: show what the page now is for us.
        this.stopped = true;
        window.location.reload();
        return;
      }
      if (!this.stopped) this.scheduleReconnect();
    });
  }

  receive(text) {
    let ev;
    try {
      ev = JSON.parse(text);
    } catch {
      return;
    }
    if (ev.type === 'pong') return;
    if (ev.type === 'resync') {
      this.handlers.onResync(ev);
      return;
    }
    if (typeof ev.seq !== 'number' || ev.seq <= this.lastSeq) return; // already seen
    if (ev.seq > this.lastSeq + 1) {
      // A gap should never happen; start over from what we have rather than skip events.
      this.ws?.close(4000);
      return;
    }
    this.lastSeq = ev.seq;
    this.lastAt = ev.at;
    document.body.dataset.lastSeq = String(ev.seq);
    // The public is sent a skip in place of an event it may not read: the position moves on.
    if (ev.type === 'skip') return;
    try {
      this.handlers.onEvent(ev);
    } catch (err) {
      console.error('live: handling event', ev.type, err); // eslint-disable-line no-console
    }
  }

  scheduleReconnect() {
    this.setDown(true);
    const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** this.attempt);
    this.attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.ws && this.ws.readyState <= 1) return;
    this.attempt = 0;
    this.connect();
  }

  setDown(down) {
    if (!this.status || down === this.down) return;
    this.down = down;
    clearTimeout(this.statusTimer);
    if (down) {
      this.statusTimer = setTimeout(() => {
        this.status.textContent = t('js.reconnecting');
        this.status.classList.add('is-visible');
        document.body.dataset.live = 'reconnecting';
      }, QUIET_MS);
    } else {
      document.body.dataset.live = 'connected';
      if (this.status.classList.contains('is-visible')) {
        this.status.textContent = t('js.reconnected');
        this.statusTimer = setTimeout(() => {
          this.status.classList.remove('is-visible');
          this.status.textContent = '';
        }, 2000);
      }
    }
  }
}

/** startLive follows the council named by the page's body data attributes, if any. */
export function startLive(onEvent) {
  const { councilId, lastSeq, lastAt } = document.body.dataset;
  if (!councilId) return null;
  const live = new Live(Number(councilId), Number(lastSeq || 0), lastAt || '', {
    onEvent,
    onResync: () => window.location.reload(),
  });
  live.start();
  return live;
}
