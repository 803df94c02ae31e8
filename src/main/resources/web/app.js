// Smart Runner dashboard. Plain JS, no dependencies, same-origin requests only.
// Every piece of data reaches the page through textContent or an SVG attribute: nothing is parsed as HTML.
'use strict';
(() => {
  const TOKEN_KEY = 'smartRunner.apiToken';
  const PROFILES_EVERY_MS = 2000;
  // the table holds one page of the fleet, never all of it: 10 000 profiles would be 10 000 rows
  const PAGE_SIZE = 50;
  const REPORT_EVERY_MS = 10000;
  const FEED_MAX = 200;
  const ROW_MESSAGE_MS = 15000;
  const STATE_LABEL = { running: 'running', paused: 'paused', 'needs-recovery': 'needs recovery', idle: 'idle' };
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- small helpers
  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text != null) e.textContent = text;
    return e;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  const pad = (n) => String(n).padStart(2, '0');
  const clock = (d) => pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());

  function untilLabel(ms) {
    const d = new Date(ms);
    const hm = pad(d.getHours()) + ':' + pad(d.getMinutes());
    return ms - Date.now() > 86400000 ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) + ' ' + hm : hm;
  }

  function timeLeft(ms) {
    if (ms <= 0) return 'due';
    let s = Math.ceil(ms / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    // an hour or more: no seconds (a day or more: no minutes), so the time or date beside it fits
    // the column beside the live feed at 1400 px (the runner's own pauses, 24 h ± 10 %, were cut off)
    if (d > 0) return d + 'd ' + pad(h) + 'h';
    if (h > 0) return h + 'h ' + pad(m) + 'm';
    if (m > 0) return m + 'm ' + pad(s) + 's';
    return s + 's';
  }

  function duration(ms) {
    if (ms == null) return '';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    return Math.round(ms / 60000) + ' min';
  }

  const lastLine = (s) => (s == null ? '' : String(s).trim().split('\n').pop().slice(0, 160));

  // ---------------------------------------------------------------- API access
  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  const token = {
    get: () => sessionStorage.getItem(TOKEN_KEY),
    set: (v) => sessionStorage.setItem(TOKEN_KEY, v),
    clear: () => sessionStorage.removeItem(TOKEN_KEY),
  };

  async function api(method, path, body) {
    const init = { method, cache: 'no-store', credentials: 'omit', headers: {} };
    const t = token.get();
    // reads need the token too when the runner listens beyond loopback (the event stream cannot
    // send it: there the feed falls back to polling)
    if (t) init.headers.Authorization = 'Bearer ' + t;
    if (method !== 'GET') {
      if (!t) throw new ApiError(401, 'enter the API token first');
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body || {});
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'the runner is unreachable');
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      const message = data && typeof data.error === 'string' ? data.error : 'HTTP ' + res.status;
      if (res.status === 404 && (message.startsWith('no such route') || !data)) {
        throw new ApiError(404, 'unavailable: this runner has no ' + method + ' ' + path.split('?')[0]);
      }
      if (res.status === 401) needToken('The runner refused the token (401): enter it again.');
      throw new ApiError(res.status, message);
    }
    return data;
  }

  // ---------------------------------------------------------------- token form
  const tokenForm = $('token-form');
  const tokenInput = $('token-input');
  const tokenHint = $('token-hint');

  function showTokenState() {
    $('token-toggle').textContent = token.get() ? 'API token ✓' : 'API token';
  }

  function needToken(message) {
    token.clear();
    showTokenState();
    tokenForm.hidden = false;
    tokenHint.textContent = message;
    tokenHint.classList.add('error');
    tokenInput.focus();
  }

  tokenForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = tokenInput.value.trim();
    tokenInput.value = '';
    if (!value) {
      tokenHint.textContent = 'The token is empty.';
      tokenHint.classList.add('error');
      return;
    }
    token.set(value);
    tokenHint.classList.remove('error');
    tokenForm.hidden = true;
    showTokenState();
  });
  $('token-forget').addEventListener('click', () => {
    token.clear();
    showTokenState();
    tokenHint.textContent = 'Forgotten. Controls need the token again.';
    tokenHint.classList.remove('error');
  });
  $('token-toggle').addEventListener('click', () => {
    tokenForm.hidden = !tokenForm.hidden;
    if (!tokenForm.hidden) tokenInput.focus();
  });

  // ---------------------------------------------------------------- notices
  let noticeTimer = 0;
  function notice(message, isError) {
    const n = $('notice');
    n.textContent = message;
    n.classList.toggle('error', !!isError);
    n.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { n.hidden = true; }, 10000);
  }

  // ---------------------------------------------------------------- fleet table
  const table = $('fleet');
  const rows = new Map(); // profileId -> row record
  const pods = new Map(); // pod name -> { tbody, head, counts, stats, breaker } for the pods on this page
  const pausedRows = new Set();
  const messageRows = new Set();
  let podStats = {};
  let podCounts = new Map(); // pod name -> its counts from GET /api/summary
  // the filters and the page are the API's (GET /api/profiles?pod=&state=&q=&offset=&limit=)
  let filterText = '';
  let stateFilter = '';
  let podFilter = '';
  const view = { offset: 0, total: 0, shown: 0 };

  function stateOf(p) {
    const f = p.flags || {};
    if (f.paused) return 'paused';
    if (f.running) return 'running';
    if (f.needsRecovery) return 'needs-recovery';
    return 'idle';
  }

  function podGroup(name) {
    let g = pods.get(name);
    if (g) return g;
    const tbody = el('tbody', 'pod');
    tbody.dataset.pod = name;
    const head = el('tr', 'pod-row');
    const cell = el('th');
    cell.colSpan = columns();
    cell.scope = 'rowgroup';
    const title = el('span', 'pod-name', name);
    const counts = el('span', 'pod-counts');
    const slots = el('span', 'pod-slots'); // this runner's sessions / the slots it may fill (GET /api/pods)
    const stats = el('span', 'pod-stats');
    const breaker = el('span', 'pod-breaker'); // the pod's breaker and hold (GET /api/pods), empty when all is well
    // every profile of the pod at once (POST /api/pods/{pod}/profiles/…): a shared site's maintenance
    const podActions = el('span', 'pod-actions');
    podActions.append(button('pod-pause', 'Pause all'), button('pod-unpause', 'Unpause all'));
    cell.append(title, counts, slots, breaker, podActions, stats);
    head.append(cell);
    tbody.append(head);
    table.append(tbody);
    g = { tbody, head, counts, slots, stats, breaker, ids: [] };
    pods.set(name, g);
    return g;
  }

  // the Runner column is shown in cluster mode only; a pod's heading spans exactly the columns shown
  // (one more would be an empty column of its own, and the rows would end short of the table's edge)
  const columns = () => (document.body.classList.contains('cluster') ? 7 : 6);
  function showRunnerColumn() {
    if (document.body.classList.contains('cluster')) return;
    document.body.classList.add('cluster');
    for (const g of pods.values()) g.head.firstElementChild.colSpan = columns();
  }

  function button(action, label, className) {
    const b = el('button', 'btn btn-small ' + (className || ''), label);
    b.type = 'button';
    b.dataset.action = action;
    return b;
  }

  function buildRow(p) {
    const tr = el('tr', 'profile');
    tr.dataset.id = p.profileId;
    const name = el('td', 'name');
    const id = el('span', 'pid', p.profileId);
    const browser = el('span', 'browser');
    // why it fails: the tail of its session's stderr (secrets masked), in a tab of its own
    const log = el('a', 'log-link', 'log');
    log.href = '/api/profiles/' + encodeURIComponent(p.profileId) + '/log?stream=stderr&bytes=65536';
    log.target = '_blank';
    log.rel = 'noopener';
    log.title = 'The end of ' + p.profileId + "'s stderr log";
    name.append(id, browser, log);
    const runner = el('td', 'col-runner runner'); // cluster mode: the runner the profile is on
    const stateCell = el('td', 'state');
    const badge = el('span', 'badge');
    stateCell.append(badge);
    const streak = el('td', 'num streak');
    const until = el('td', 'until');
    const left = el('span', 'left');
    const abs = el('span', 'abs');
    until.append(left, abs);
    const error = el('td', 'err');
    const actions = el('td', 'actions');
    const btn = {
      pause: button('pause', 'Pause'),
      unpause: button('unpause', 'Unpause'),
      reset: button('reset', 'Reset'),
      run: button('run', 'Run now'),
    };
    // a screen reader heard fifty identical "Pause" buttons
    for (const b of Object.values(btn)) b.setAttribute('aria-label', b.textContent + ' ' + p.profileId);
    const msg = el('span', 'row-msg');
    actions.append(btn.pause, btn.unpause, btn.reset, btn.run, msg);
    tr.append(name, runner, stateCell, streak, until, error, actions);
    return { tr, runner, badge, streak, until, left, abs, error, btn, msg, browser, key: '', p: null, state: '', search: '', untilMs: 0 };
  }

  function updateRow(r, p) {
    const state = stateOf(p);
    r.p = p;
    if (r.state !== state) {
      r.state = state;
      r.tr.dataset.state = state;
      r.badge.className = 'badge b-' + state;
      r.badge.textContent = STATE_LABEL[state];
    }
    r.search = (p.pod + ' ' + p.profileId + ' ' + STATE_LABEL[state] + (p.runner ? ' ' + p.runner : '')).toLowerCase();
    if ('runner' in p) {
      showRunnerColumn();
      // held false: no live runner holds it now (a stopped runner's, or no config lists it any more)
      const unheld = p.held === false;
      r.runner.textContent = p.runner ? (unheld ? '(' + p.runner + ')' : p.runner) : '—';
      r.runner.title = unheld ? 'no live runner holds it now' + (p.runner ? '; ' + p.runner + ' ran it last' : '') : '';
    }
    r.streak.textContent = String(p.errorStreak);
    r.streak.classList.toggle('hot', p.errorStreak > 0);
    if (p.flags && p.flags.paused && p.pausedUntil) {
      r.untilMs = Date.parse(p.pausedUntil);
      r.left.textContent = timeLeft(r.untilMs - Date.now());
      r.abs.textContent = untilLabel(r.untilMs);
      r.until.title = 'paused until ' + new Date(r.untilMs).toString();
      pausedRows.add(r);
    } else {
      r.left.textContent = '';
      r.abs.textContent = '';
      r.until.removeAttribute('title');
      pausedRows.delete(r);
    }
    // the browser issue's providers: whether the profile's browser is open (never its DevTools URL)
    const b = p.browser;
    r.browser.hidden = !b;
    if (b) {
      r.browser.className = 'browser ' + (b.open ? 'open' : 'closed');
      r.browser.textContent = b.open ? '● browser' : '○ browser';
      r.browser.title = b.provider + ' browser ' + (b.open ? 'open' + (b.pid ? ', pid ' + b.pid : '') : 'closed');
    }
    r.error.textContent = p.lastError || '';
    if (p.lastError) r.error.title = p.lastError; else r.error.removeAttribute('title');
    const f = p.flags || {};
    r.btn.pause.hidden = !!f.paused;
    r.btn.unpause.hidden = !f.paused;
    r.btn.reset.disabled = p.errorStreak === 0 && !f.needsRecovery;
    r.btn.run.disabled = !!(f.paused || f.running || f.needsRecovery);
  }

  function profilesQuery() {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(view.offset) });
    if (podFilter) q.set('pod', podFilter);
    if (stateFilter) q.set('state', stateFilter);
    if (filterText) q.set('q', filterText);
    return '/api/profiles?' + q.toString();
  }

  const lastPageOffset = (total) => Math.max(0, Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE);

  /** One page of GET /api/profiles: rows are built once per profile on the page, compared and touched only where changed. */
  function render(page) {
    const list = Array.isArray(page.profiles) ? page.profiles : [];
    view.total = Number(page.total) || 0;
    view.shown = list.length;
    const seen = new Set();
    const order = new Map(); // pod -> its rows on this page, in API order
    for (const p of list) {
      seen.add(p.profileId);
      let r = rows.get(p.profileId);
      if (!r) {
        r = buildRow(p);
        rows.set(p.profileId, r);
      }
      const key = JSON.stringify(p);
      if (r.key !== key) {
        r.key = key;
        updateRow(r, p);
      }
      if (!order.has(p.pod)) order.set(p.pod, []);
      order.get(p.pod).push(r);
    }
    for (const [id, r] of rows) {
      if (!seen.has(id)) {
        r.tr.remove();
        rows.delete(id);
        pausedRows.delete(r);
        messageRows.delete(r);
      }
    }
    for (const [name, g] of pods) {
      if (!order.has(name)) { g.tbody.remove(); pods.delete(name); }
    }
    // pods, then their rows, in page order; a node already in place is not moved
    let prevBody = table.tHead;
    for (const [name, podRows] of order) {
      const g = podGroup(name);
      if (prevBody.nextElementSibling !== g.tbody) prevBody.after(g.tbody);
      prevBody = g.tbody;
      let prev = g.head;
      for (const r of podRows) {
        if (prev.nextElementSibling !== r.tr) prev.after(r.tr);
        prev = r.tr;
      }
    }
    showPager();
    showPodCounts();
    showPodStats();
  }

  function showPager() {
    const filtered = filterText || stateFilter || podFilter;
    const range = view.shown ? (view.offset + 1) + '–' + (view.offset + view.shown) : '0';
    $('shown').textContent = range + ' of ' + view.total + (filtered ? ' matching' : ' profiles');
    $('page-first').disabled = $('page-prev').disabled = view.offset === 0;
    $('page-next').disabled = $('page-last').disabled = view.offset + PAGE_SIZE >= view.total;
  }

  function goTo(offset) {
    view.offset = Math.max(0, Math.min(offset, lastPageOffset(view.total)));
    refreshProfiles();
  }
  $('page-first').addEventListener('click', () => goTo(0));
  $('page-prev').addEventListener('click', () => goTo(view.offset - PAGE_SIZE));
  $('page-next').addEventListener('click', () => goTo(view.offset + PAGE_SIZE));
  $('page-last').addEventListener('click', () => goTo(lastPageOffset(view.total)));

  /** The header and per-pod counts, from GET /api/summary (counted by the runner, not from the rows on this page). */
  function showSummary(s) {
    if (!s || !s.states) return;
    const counts = { total: s.total, running: s.states.running, recovery: s.states['needs-recovery'],
      paused: s.states.paused, idle: s.states.idle };
    for (const k in counts) {
      const n = document.querySelector('[data-count="' + k + '"]');
      const text = String(counts[k] != null ? counts[k] : '–');
      if (n.textContent !== text) n.textContent = text;
    }
    const list = Array.isArray(s.pods) ? s.pods : [];
    podCounts = new Map(list.map((p) => [p.pod, p]));
    showPodCounts();
    podChoices(list.map((p) => p.pod));
  }

  function showPodCounts() {
    for (const [name, g] of pods) {
      const c = podCounts.get(name);
      let text = '';
      if (c && c.states) {
        const parts = [c.total + ' profiles'];
        if (c.states.running) parts.push(c.states.running + ' running');
        if (c.states['needs-recovery']) parts.push(c.states['needs-recovery'] + ' needs recovery');
        if (c.states.paused) parts.push(c.states.paused + ' paused');
        text = parts.join(' · ');
      }
      if (g.counts.textContent !== text) g.counts.textContent = text;
    }
  }

  /** The pod filter offers the fleet's pods (rebuilt only when they change). */
  function podChoices(names) {
    const select = $('pod-filter');
    const have = [...select.options].slice(1).map((o) => o.value);
    if (have.join('\n') === names.join('\n')) return;
    const frag = document.createDocumentFragment();
    for (const name of names) {
      const o = el('option', null, name);
      o.value = name;
      frag.append(o);
    }
    select.replaceChildren(select.options[0], frag);
    if (podFilter && !names.includes(podFilter)) {
      // the pod left the fleet (a reload): its filter goes with it, else the table stayed empty and
      // choosing "all pods" again changed nothing (no change event)
      podFilter = '';
      view.offset = 0;
      again = true;
    }
    select.value = podFilter;
  }

  function showPodStats() {
    for (const [name, g] of pods) {
      const s = podStats[name];
      let text = '';
      if (s) {
        const mttr = s.meanTimeToRecoveryMs != null ? s.meanTimeToRecoveryMs : s.mttrMs;
        text = 'sessions ' + s.sessions + ' · failures ' + s.failures + ' · recovered ' + s.recovered + '/' + s.episodes
          + (s.relapsed ? ' (' + s.relapsed + ' failed again)' : '')
          + (mttr ? ' · MTTR ' + duration(mttr) : '') + ' · pauses ' + s.pauses;
      }
      if (g.stats.textContent !== text) g.stats.textContent = text;
    }
  }

  // ---------------------------------------------------------------- runner banner
  // /readyz (no token needed): its notes (e.g. new sessions held for host memory or load) and, when
  // the runner is not ready, its reasons, in one banner above the fleet
  async function refreshBanner() {
    const banner = $('runner-banner');
    let lines = [];
    try {
      const res = await fetch('/readyz', { cache: 'no-store', credentials: 'omit' });
      const data = await res.json();
      lines = (Array.isArray(data.reasons) ? data.reasons.map((r) => 'not ready: ' + r) : [])
        .concat(Array.isArray(data.notes) ? data.notes : []);
    } catch (e) {
      lines = []; // unreachable: the status line already says so
    }
    const text = lines.join(' · ');
    if (banner.textContent !== text) banner.textContent = text;
    banner.hidden = !text;
  }

  /** DESIGN §2b: an open breaker (a shared outage: nobody is blamed, probes run) or a held pod, per pod. */
  function showPodBreakers(list) {
    if (!Array.isArray(list)) return;
    for (const p of list) {
      const g = pods.get(p.pod);
      if (!g) continue;
      const b = p.breaker || {};
      const parts = [];
      if (b.state === 'open') {
        parts.push('breaker open' + (b.since ? ' since ' + clock(new Date(b.since)) : '') + ' · probes ' + b.probes);
      }
      if (p.held) parts.push('held' + (p.heldSince ? ' since ' + clock(new Date(p.heldSince)) : '') + ': no new sessions');
      const text = parts.join(' · ');
      if (g.breaker.textContent !== text) g.breaker.textContent = text;
      const slotText = Number.isInteger(p.slots) ? p.sessions + ' / ' + p.slots + ' slots in use' : '';
      if (g.slots.textContent !== slotText) g.slots.textContent = slotText;
      g.slots.dataset.full = String(Number.isInteger(p.slots) && p.slots > 0 && p.sessions >= p.slots);
      g.breaker.dataset.state = b.state === 'open' ? 'open' : p.held ? 'held' : 'closed';
    }
  }

  let refreshing = null;
  let again = false;
  let refreshCount = 0;
  let profilesTimer = 0;

  // cluster mode: every runner of the fleet (GET /api/runners), hidden with one runner (SQLite)
  function showRunners(view) {
    const panel = $('runners-panel');
    panel.hidden = !(view && view.membership);
    if (panel.hidden) return;
    const items = (view.runners || []).map(r => {
      const li = el('li', 'runner-item r-' + r.state);
      li.dataset.name = r.name;
      li.append(el('span', 'runner-name', r.name), el('span', 'badge runner-state', r.state),
        el('span', 'runner-load', (r.sessions != null ? r.sessions : '?') + '/' + (r.capacity != null ? r.capacity : '?') + ' sessions'),
        el('span', 'runner-beat', r.heartbeatAgeMs != null ? 'heartbeat ' + duration(r.heartbeatAgeMs) + ' ago' : ''));
      const differs = r.configDiffersFrom || [];
      if (differs.length) {
        // each runner runs the profiles it holds by its own config: say where two disagree
        const badge = el('span', 'badge runner-config-differs', 'config differs from ' + differs.join(', '));
        badge.title = (view.configDisagreements || []).filter(d => d.runners.includes(r.name))
          .map(d => d.runners.join(' / ') + ': ' + d.differences.join('; ')).join('\n');
        li.append(badge);
      }
      return li;
    });
    $('runners').replaceChildren(...items);
  }

  function refreshProfiles() {
    if (refreshing) {
      again = true; // asked for while a refresh was in flight: its answer may predate the change
      return refreshing;
    }
    refreshing = (async () => {
      const t0 = performance.now();
      const status = $('status');
      try {
        const [page, summary] = await Promise.all([api('GET', profilesQuery()),
          api('GET', '/api/summary').catch(() => null)]);
        refreshBanner();
        const t1 = performance.now();
        if (view.offset > 0 && view.offset >= (Number(page.total) || 0)) {
          view.offset = lastPageOffset(Number(page.total) || 0); // profiles left the filter: show its last page
          again = true;
        }
        render(page);
        showSummary(summary);
        showPodBreakers(await api('GET', '/api/pods').catch(() => null));
        showRunners(await api('GET', '/api/runners').catch(() => null));
        const t2 = performance.now();
        const ms = t2 - t0;
        status.textContent = 'live · ' + clock(new Date()) + ' · ' + Math.round(ms) + ' ms';
        status.title = 'last refresh of ' + rows.size + ' rows: ' + Math.round(t1 - t0) + ' ms to fetch, '
          + Math.round(t2 - t1) + ' ms to update the table';
        status.className = 'status ok';
        // for the DevTools performance panel (and the browser test): the first refresh, which builds every row, and the latest
        performance.clearMeasures('sr:refresh');
        performance.measure(++refreshCount === 1 ? 'sr:first-refresh' : 'sr:refresh',
          { start: t0, end: t2, detail: { fetchMs: t1 - t0, renderMs: t2 - t1, rows: rows.size, count: refreshCount } });
      } catch (e) {
        status.textContent = e.message;
        status.title = e.message; // the header shows one line of it
        status.className = 'status bad';
      } finally {
        refreshing = null;
        clearTimeout(profilesTimer);
        // a hidden tab stops polling; it refreshes at once when shown again (see visibilitychange)
        if (!document.hidden) profilesTimer = setTimeout(refreshProfiles, again ? 0 : PROFILES_EVERY_MS);
        again = false;
      }
    })();
    return refreshing;
  }

  // a change made here or announced by an event shows within a fraction of a second, at most ~3 refreshes a second
  let soonTimer = 0;
  function refreshSoon() {
    if (soonTimer) return;
    soonTimer = setTimeout(() => { soonTimer = 0; refreshProfiles(); }, 300);
  }

  // a filter asks the runner for its first page (typing waits for a pause of 250 ms)
  function applyFilter() {
    view.offset = 0;
    refreshProfiles();
  }
  let typingTimer = 0;
  $('filter').addEventListener('input', (e) => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      const text = e.target.value.trim().toLowerCase();
      // what the API takes (q: part of a profile id); anything else is said at the box, and the
      // table keeps the last filter it could apply and goes on refreshing (a 400 used to stop it)
      const valid = text === '' || /^[a-z0-9._-]{1,64}$/.test(text);
      e.target.setAttribute('aria-invalid', valid ? 'false' : 'true');
      e.target.title = valid ? '' : 'A profile id has only letters, digits, ".", "_" and "-" (at most 64): not applied';
      if (!valid) return;
      filterText = text;
      applyFilter();
    }, 250);
  });
  $('state-filter').addEventListener('change', (e) => {
    stateFilter = e.target.value;
    applyFilter();
  });
  $('pod-filter').addEventListener('change', (e) => {
    podFilter = e.target.value;
    applyFilter();
  });

  // one timer for every countdown and row message
  setInterval(() => {
    const now = Date.now();
    for (const r of pausedRows) {
      const text = timeLeft(r.untilMs - now);
      if (r.left.textContent !== text) r.left.textContent = text;
    }
    for (const r of messageRows) {
      if (now > r.msgUntil) { r.msg.textContent = ''; r.msg.removeAttribute('title'); r.msg.className = 'row-msg'; messageRows.delete(r); }
    }
  }, 1000);

  function rowMessage(r, text, isError) {
    r.msg.textContent = text;
    r.msg.title = text;
    r.msg.className = 'row-msg' + (isError ? ' error' : '');
    r.msgUntil = Date.now() + ROW_MESSAGE_MS;
    messageRows.add(r);
  }

  // ---------------------------------------------------------------- controls
  const ACTIONS = { unpause: 'unpaused', reset: 'streak reset', run: 'starts next' };
  const dialog = $('pause-dialog');
  let pauseTarget = null;

  async function act(r, action, body, buttonEl) {
    if (buttonEl) buttonEl.disabled = true;
    try {
      await api('POST', '/api/profiles/' + encodeURIComponent(r.p.profileId) + '/' + action, body);
      rowMessage(r, ACTIONS[action] || 'done', false);
      refreshSoon();
      return true;
    } catch (e) {
      rowMessage(r, e.message, true);
      throw e;
    } finally {
      if (buttonEl) buttonEl.disabled = false;
      r.key = ''; // the next refresh re-applies the row's button states
    }
  }

  /** The pause dialog (duration and reason) for a row, or for a pod ({ pod }): its submit acts on it. */
  function askPause(target, label) {
    pauseTarget = target;
    $('pause-target').textContent = label;
    $('pause-reason').value = '';
    $('pause-error').hidden = true;
    dialog.showModal();
    $('pause-reason').focus();
  }

  /** The same control for every profile of a pod; what was done, queued and refused is said in the notice. */
  async function actOnPod(pod, action, body, buttonEl) {
    if (buttonEl) buttonEl.disabled = true;
    try {
      const r = await api('POST', '/api/pods/' + encodeURIComponent(pod) + '/profiles/' + action, body);
      const done = Array.isArray(r.done) ? r.done.length : 0;
      const refused = Array.isArray(r.refused) ? r.refused : [];
      const queued = Array.isArray(r.queued) ? r.queued.length : 0;
      notice(pod + ': ' + (action === 'pause' ? 'paused ' : 'unpaused ') + done + ' profile(s)'
        + (queued ? '; ' + queued + ' queued for their runner (not applied yet; it applies them when it answers)' : '')
        + (refused.length ? '; ' + refused.length + ' refused (' + refused.slice(0, 3).map((x) => x.error).join('; ')
          + (refused.length > 3 ? '; …' : '') + ')' : '') + '.', false);
      refreshSoon();
    } finally {
      if (buttonEl) buttonEl.disabled = false;
    }
  }

  table.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-action]');
    if (!b) return;
    const podAction = b.dataset.action.startsWith('pod-') ? b.dataset.action.slice(4) : null;
    if (podAction) {
      const pod = b.closest('tbody').dataset.pod;
      if (!token.get()) {
        needToken('Controls need the API token: enter it first.');
        return;
      }
      if (podAction === 'pause') {
        askPause({ pod }, 'every profile of ' + pod);
        return;
      }
      actOnPod(pod, podAction, {}, b).catch((err) => notice(pod + ': ' + err.message, true));
      return;
    }
    const r = rows.get(b.closest('tr').dataset.id);
    if (!r) return;
    if (!token.get()) {
      needToken('Controls need the API token: enter it first.');
      rowMessage(r, 'enter the API token first', true);
      return;
    }
    if (b.dataset.action === 'pause') {
      askPause(r, r.p.profileId);
      return;
    }
    act(r, b.dataset.action, {}, b).catch(() => {});
  });

  $('pause-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = pauseTarget;
    if (!r) return;
    const reason = $('pause-reason').value.trim();
    const body = { durationMs: Number($('pause-duration').value) };
    if (reason) body.reason = reason;
    const confirm = $('pause-confirm');
    confirm.disabled = true;
    try {
      if (r.pod) {
        await actOnPod(r.pod, 'pause', body, null);
      } else {
        await act(r, 'pause', body, null);
        rowMessage(r, 'paused', false);
      }
      dialog.close();
    } catch (err) {
      const p = $('pause-error');
      p.textContent = err.message;
      p.hidden = false;
      if (err.status === 401) dialog.close();
    } finally {
      confirm.disabled = false;
    }
  });
  $('pause-cancel').addEventListener('click', () => dialog.close());

  $('reload').addEventListener('click', async (e) => {
    const b = e.currentTarget;
    if (!token.get()) {
      needToken('Reloading the config needs the API token: enter it first.');
      notice('Reload refused: enter the API token first', true);
      return;
    }
    b.disabled = true;
    try {
      const r = await api('POST', '/api/reload', {});
      const n = (k) => (r && Array.isArray(r[k]) ? r[k].length : 0);
      notice('Config reloaded: ' + n('added') + ' added, ' + n('removed') + ' removed, ' + n('changed') + ' changed.'
        + (n('applied') ? ' Applied: ' + r.applied.join(', ') + '.' : '')
        + (r && r.restartNeeded ? ' After a restart: ' + (n('restartNeededFor') ? r.restartNeededFor.join(', ')
          : 'changes to the runner, recovery, browser or http blocks') + '.' : ''), false);
      refreshSoon();
    } catch (err) {
      notice('Reload refused: ' + err.message, true);
    } finally {
      b.disabled = false;
    }
  });

  // ---------------------------------------------------------------- live event feed
  const feed = $('feed');
  const feedStatus = $('feed-status');
  let cursor = null;
  let stream = null;
  let streamFailures = 0;
  const queued = [];
  let flushTimer = 0;
  // While the pointer is on the list (or the keyboard's focus is in it), new events wait and the
  // items stay where they are: a busy fleet adds dozens a second on top, and the profile a user
  // aims at would slide away under the pointer. They are shown when the pointer leaves.
  const feedHeld = $('feed-held');
  const held = [];
  let heldCount = 0;
  let pointerInFeed = false;
  let focusInFeed = false;
  const holding = () => pointerInFeed || focusInFeed;
  // Which events the list shows: a fleet that starts hundreds of sessions a second fills it with
  // starts and ends within a second, and a failure scrolls away before it can be read. Applied as
  // events arrive; a change also takes out the items it hides. Kept for the tab.
  const feedFilter = $('feed-filter');
  const PROBLEMS = new Set(['error', 'recover', 'pause', 'pod-pause', 'breaker-open', 'internal-error', 'pressure',
    'takeover', 'browser-crash']);
  const feedShows = (ev) => feedFilter.value === 'problems' ? PROBLEMS.has(ev.event)
    : feedFilter.value === 'quiet' ? ev.event !== 'start' && ev.event !== 'finish' : true;
  feedFilter.value = sessionStorage.getItem('sr-feed-filter') || '';
  if (feedFilter.selectedIndex < 0) feedFilter.value = '';
  feedFilter.addEventListener('change', () => {
    sessionStorage.setItem('sr-feed-filter', feedFilter.value);
    for (const li of [...feed.children]) if (!feedShows({ event: li.dataset.event })) li.remove();
    for (let i = held.length - 1; i >= 0; i--) if (!feedShows(held[i])) held.splice(i, 1);
  });

  function describe(ev) {
    const p = ev.params || {};
    switch (ev.event) {
      case 'start': return 'session started';
      case 'finish': return 'ok' + (ev.durMs != null ? ' in ' + duration(ev.durMs) : '');
      case 'error': return [p.reason, p['class'] && p['class'] !== 'profile' ? p['class'] : '', p.exitCode != null ? 'exit ' + p.exitCode : p.signal,
        p.errorStreak != null ? 'streak ' + p.errorStreak : '', lastLine(p.stderrTail)].filter(Boolean).join(' · ');
      case 'recover': return (p.action || 'step ' + p.step) + ' → ' + (ev.outcome || '')
          + (p.relapseOf ? ' · above ' + p.relapseOf + ', which did not hold' : '')
          + (p.message ? ' · ' + lastLine(p.message) : '');
      case 'pause': return 'by ' + (p.by || '?') + (p.reason ? ': ' + p.reason : '')
        + (p.pausedUntil ? ' · until ' + untilLabel(Date.parse(p.pausedUntil)) : '');
      case 'unpause': return 'by ' + (p.by || '?') + (p.pausedFor != null ? ' after ' + duration(p.pausedFor) : '');
      case 'reset': return 'streak ' + p.errorStreakWas + ' → ' + (p.errorStreak != null ? p.errorStreak : 0) + ' by ' + (p.by || '?');
      case 'breaker-open': return 'breaker opened: ' + p.failed + ' of ' + p.ended + ' failed across ' + p.profiles + ' profiles'
        + (p.inARow == null ? '' : ', the last ' + p.inARow + ' in a row');
      case 'breaker-close': return 'breaker closed after ' + duration(p.openForMs) + ', ' + p.probes + ' probe(s)';
      case 'pod-pause': return 'pod held: ' + (p.reason || '');
      case 'pod-unpause': return 'pod released by ' + (p.by || '?');
      case 'run': return 'run now by ' + (p.by || '?');
      case 'forget': return 'forgotten by ' + (p.by || '?') + ': no runner runs it any more';
      case 'import': return 'state imported by ' + (p.by || '?') + ': streak ' + p.errorStreak
        + (p.paused ? ' · paused' + (p.pausedUntil ? ' until ' + untilLabel(Date.parse(p.pausedUntil)) : '') : '');
      case 'browser-start': case 'browser-close': case 'browser-replace': case 'browser-recycle': case 'browser-crash':
        return [p.reason, p.pid != null ? 'pid ' + p.pid : '', p.sessions != null ? p.sessions + ' session(s)' : '',
          p.swept ? 'swept ' + p.swept : ''].filter(Boolean).join(' · ');
      case 'internal-error': return 'runner fault' + (p['while'] ? ' while ' + p['while'] : '') + ': '
        + [p.exception, p.message].filter(Boolean).join(': ');
      case 'pressure': return 'new sessions held: ' + (p.message || p['short'] || '');
      case 'pressure-end': return 'sessions resume after ' + duration(p.heldForMs) + ', ' + p.sessionsDelayed + ' delayed';
      case 'runner-start': return 'runner ' + (p.runner ? p.runner + ' ' : '') + 'started (pid ' + p.pid + ', ' + p.profiles + ' profile(s))'
        + (p.previousStop === 'unclean' ? ' · the previous run (pid ' + p.previousPid + ') ended without its stop' : '');
      case 'runner-stop': return 'runner ' + (p.runner ? p.runner + ' ' : '') + 'stopped after ' + duration(ev.durMs)
        + (p.sessionsStopped ? ' · ' + p.sessionsStopped + ' session(s) stopped' : '');
      case 'takeover': return 'took over ' + p.profiles + ' profile(s) from runner ' + (p.from || '?')
        + ', which stopped renewing them' + (p.sessionsOpen ? ' · ' + p.sessionsOpen + ' of its sessions closed' : '');
      case 'reload': return 'config reloaded: ' + p.added + ' added, ' + p.removed + ' removed, ' + p.changed + ' changed'
        + (p.applied ? ' · ' + p.applied : '') + (p.restartNeededFor ? ' · after a restart: ' + p.restartNeededFor : '');
      default: return p.by ? 'by ' + p.by : JSON.stringify(p).slice(0, 160);
    }
  }

  function feedItem(ev) {
    const li = el('li', 'ev');
    li.dataset.event = String(ev.event);
    li.dataset.profile = String(ev.profileId || '');
    li.dataset.pod = String(ev.pod || '');
    const ts = ev.ts ? new Date(ev.ts) : null;
    const time = el('time', 'ev-time', ts ? clock(ts) : '');
    if (ev.ts) time.dateTime = ev.ts;
    const kind = el('span', 'ev-kind k-' + String(ev.event).replace(/[^a-z]/g, ''), String(ev.event));
    if (ev.outcome && ev.event === 'recover') kind.classList.add('o-' + String(ev.outcome).replace(/[^a-z]/g, ''));
    const who = el('button', 'ev-who', ev.profileId || ev.pod || 'runner');
    who.type = 'button';
    who.title = ev.profileId || ev.pod ? 'Filter the fleet to ' + (ev.profileId || 'pod ' + ev.pod) : 'Show the whole fleet';
    const what = el('span', 'ev-what', describe(ev));
    what.title = what.textContent;
    li.append(time, kind, who, what);
    return li;
  }

  function addEvents(all) {
    if (!all.length) return;
    const shown = all.filter(feedShows); // the fleet and the charts below still follow every event
    if (shown.length && holding()) {
      held.push(...shown);
      if (held.length > FEED_MAX) held.splice(0, held.length - FEED_MAX);
      heldCount += shown.length;
      feedHeld.textContent = '· paused: ' + heldCount + ' new';
      feedHeld.hidden = false;
    } else if (shown.length) {
      showEvents(shown);
    }
    if (all.some((ev) => ev.type === 'profile')) refreshSoon();
    if (all.some((ev) => ev.type === 'recovery' || ev.type === 'profile')) reportSoon();
  }

  function releaseFeed() {
    if (holding()) return;
    const notShown = heldCount - held.length; // the feed keeps the newest FEED_MAX: say what it dropped
    feedHeld.hidden = notShown <= 0;
    if (notShown > 0) {
      feedHeld.textContent = '· ' + notShown + ' older event(s) not shown (the events command and /api/events have them)';
      setTimeout(() => { if (!holding()) feedHeld.hidden = true; }, 10000);
    }
    heldCount = 0;
    if (held.length) showEvents(held.splice(0));
  }
  feed.addEventListener('pointerenter', () => { pointerInFeed = true; });
  feed.addEventListener('pointerleave', () => { pointerInFeed = false; releaseFeed(); });
  // the keyboard's focus only: a click focuses the button it hit, and the feed would stay paused after
  // the pointer has left
  feed.addEventListener('focusin', (e) => { focusInFeed = e.target.matches(':focus-visible'); });
  feed.addEventListener('focusout', (e) => {
    if (feed.contains(e.relatedTarget)) return;
    focusInFeed = false;
    releaseFeed();
  });

  function showEvents(all) {
    const events = all.length > FEED_MAX ? all.slice(-FEED_MAX) : all;
    const frag = document.createDocumentFragment();
    for (let i = events.length - 1; i >= 0; i--) frag.append(feedItem(events[i]));
    feed.prepend(frag);
    while (feed.childElementCount > FEED_MAX) feed.lastElementChild.remove();
  }

  feed.addEventListener('click', (e) => {
    const who = e.target.closest('.ev-who');
    if (!who) return;
    // the profile clicked is shown whatever its state; an event of a pod (no profile) shows that pod
    const li = who.closest('li');
    const profile = li.dataset.profile;
    filterText = profile ? profile.toLowerCase() : '';
    podFilter = profile ? '' : li.dataset.pod || '';
    stateFilter = '';
    $('filter').value = filterText;
    $('state-filter').value = '';
    $('pod-filter').value = podFilter;
    applyFilter();
  });

  async function startFeed() {
    try {
      const page = await api('GET', '/api/events?limit=100');
      addEvents(page.events || []);
      cursor = page.next;
      openStream();
    } catch (e) {
      feedStatus.textContent = e.message;
      feedStatus.className = 'feed-status bad';
      setTimeout(startFeed, 5000);
    }
  }

  function openStream() {
    if (stream) stream.close();
    stream = new EventSource('/api/events/stream' + (cursor != null ? '?after=' + encodeURIComponent(cursor) : ''));
    stream.onopen = () => {
      streamFailures = 0;
      feedStatus.textContent = 'live';
      feedStatus.className = 'feed-status ok';
    };
    stream.onmessage = (m) => {
      if (m.lastEventId) cursor = m.lastEventId;
      let ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      queued.push(ev);
      // a busy fleet writes hundreds of events a second: touch the feed at most every 200 ms
      if (!flushTimer) flushTimer = setTimeout(() => { flushTimer = 0; addEvents(queued.splice(0)); }, 200);
    };
    // reconnect ourselves from the last cursor, so no event is shown twice or skipped
    stream.onerror = () => {
      stream.close();
      stream = null;
      streamFailures++;
      if (streamFailures >= 3) {
        feedStatus.textContent = 'stream unavailable · polling';
        feedStatus.className = 'feed-status warn';
        setTimeout(pollFeed, 2000);
      } else {
        feedStatus.textContent = 'reconnecting…';
        feedStatus.className = 'feed-status warn';
        setTimeout(openStream, 1000 * streamFailures);
      }
    };
  }

  // fallback when the stream cannot be opened: page through the log from the cursor, and try the
  // stream again every ~10 s (it failed perhaps only while the runner restarted: the page used to
  // poll for good, falling behind a busy fleet, under a label that said "unreachable" long after)
  const POLL_LIMIT = 200;
  let pollsSinceStreamTry = 0;
  async function pollFeed() {
    let full = false;
    try {
      const page = await api('GET', '/api/events?limit=' + POLL_LIMIT + (cursor != null ? '&after=' + encodeURIComponent(cursor) : ''));
      addEvents(page.events || []);
      if (page.next != null) cursor = page.next;
      full = (page.events || []).length >= POLL_LIMIT;
      feedStatus.textContent = 'stream unavailable · polling';
      feedStatus.className = 'feed-status warn';
      if (++pollsSinceStreamTry >= 5) {
        pollsSinceStreamTry = 0;
        streamFailures = 0;
        openStream();
        return;
      }
    } catch (e) {
      feedStatus.textContent = e.message;
      feedStatus.className = 'feed-status bad';
    }
    setTimeout(pollFeed, full ? 0 : 2000); // a full page: more are waiting
  }

  // ---------------------------------------------------------------- charts
  function chartMessage(box, text) {
    box.replaceChildren(el('p', 'empty', text));
  }

  function stepsChart(steps) {
    const box = $('chart-steps');
    const names = Object.keys(steps || {});
    if (!names.length) { chartMessage(box, 'No recovery steps have run yet.'); return; }
    const W = 640, ROW = 26, LABEL = 150, RIGHT = 150; // "64%  (10590/16600)" whole
    const H = names.length * ROW + 6;
    const track = W - LABEL - RIGHT;
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'svg-chart', role: 'img', 'aria-label': 'Recovery success rate per step' });
    names.forEach((name, i) => {
      const st = steps[name];
      const rate = Math.max(0, Math.min(1, Number(st.successRate) || 0));
      const y = i * ROW + 4;
      const g = svg('g', {});
      g.append(svg('title', {}, name + ': ' + st.ok + ' ok / ' + st.attempts + ' attempts, ' + st.unhealthy + ' unhealthy, '
        + st.failed + ' failed, mean ' + duration(st.meanDurMs)));
      g.append(svg('text', { x: LABEL - 8, y: y + 14, 'text-anchor': 'end', class: 'lbl' }, name));
      g.append(svg('rect', { x: LABEL, y: y + 2, width: track, height: 16, rx: 3, class: 'track' }));
      g.append(svg('rect', { x: LABEL, y: y + 2, width: Math.max(rate * track, rate > 0 ? 2 : 0), height: 16, rx: 3,
        class: rate >= 0.7 ? 'good' : rate >= 0.3 ? 'fair' : 'poor' }));
      g.append(svg('text', { x: LABEL + track + 8, y: y + 14, class: 'val' },
        Math.round(rate * 100) + '%  (' + st.ok + '/' + st.attempts + ')'));
      s.append(g);
    });
    box.replaceChildren(s);
  }

  // an even top value, so the middle grid line is a whole number too
  function niceMax(v) {
    if (v <= 4) return 4;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [2, 4, 6, 8, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  // at most four characters beside the plot: five digits were cut to "0000" (a 10 000-profile fleet's minute, reviewer R14)
  function axisLabel(n) {
    if (n >= 1e6) return +(n / 1e6).toFixed(1) + 'M';
    if (n >= 1e4) return +(n / 1e3).toFixed(n >= 1e5 ? 0 : 1) + 'k';
    return String(n);
  }

  function timelineChart(timeline) {
    const box = $('chart-timeline');
    if (!Array.isArray(timeline)) { chartMessage(box, 'Timeline unavailable: this runner\'s /api/report has no timeline.'); return; }
    if (!timeline.length) { chartMessage(box, 'No sessions in the last hour.'); return; }
    const W = 640, H = 170, L = 34, R = 6, T = 8, B = 22;
    const plotW = W - L - R, plotH = H - T - B;
    const sessions = (b) => Number(b.started) || 0;
    const failures = (b) => Number(b.failed) || 0;
    const max = niceMax(Math.max(1, ...timeline.map((b) => Math.max(sessions(b), failures(b)))));
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'svg-chart', role: 'img', 'aria-label': 'Sessions and failures per minute' });
    for (const f of [0, 0.5, 1]) {
      const y = T + plotH - f * plotH;
      s.append(svg('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }));
      s.append(svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, axisLabel(Math.round(max * f))));
    }
    const bw = plotW / timeline.length;
    timeline.forEach((b, i) => {
      const x = L + i * bw;
      const g = svg('g', {});
      const at = b.minute ? new Date(b.minute) : null;
      g.append(svg('title', {}, (at ? pad(at.getHours()) + ':' + pad(at.getMinutes()) + ' · ' : '')
        + 'started ' + sessions(b) + ', finished ' + (Number(b.finished) || 0) + ', failed ' + failures(b)));
      g.append(svg('rect', { x: x, y: T, width: bw, height: plotH, class: 'hover' }));
      const hs = (sessions(b) / max) * plotH;
      if (hs > 0) g.append(svg('rect', { x: x + 1, y: T + plotH - hs, width: Math.max(bw - 2, 1), height: hs, class: 'bar-sessions' }));
      const hf = (failures(b) / max) * plotH;
      if (hf > 0) g.append(svg('rect', { x: x + bw * 0.25, y: T + plotH - hf, width: Math.max(bw * 0.5, 1), height: hf, class: 'bar-failures' }));
      s.append(g);
    });
    const label = (i, anchor) => {
      const at = timeline[i] && timeline[i].minute ? new Date(timeline[i].minute) : null;
      if (!at) return;
      s.append(svg('text', { x: L + i * bw + (anchor === 'end' ? bw : 0), y: H - 6, 'text-anchor': anchor, class: 'axis' },
        pad(at.getHours()) + ':' + pad(at.getMinutes())));
    };
    label(0, 'start');
    label(Math.floor(timeline.length / 2), 'middle');
    label(timeline.length - 1, 'end');
    box.replaceChildren(s);
  }

  let reportTimer = 0;
  let reportSoonTimer = 0;
  let reporting = false;

  // a recovery step or a pause changes the charts: show it within 2 s rather than at the next 10 s tick
  function reportSoon() {
    if (!reportSoonTimer) reportSoonTimer = setTimeout(() => { reportSoonTimer = 0; refreshReport(); }, 2000);
  }

  async function refreshReport() {
    if (reporting) return;
    reporting = true;
    clearTimeout(reportTimer);
    try {
      const report = await api('GET', '/api/report');
      stepsChart(report.steps);
      timelineChart(report.timeline);
      podStats = report.pods || {};
      showPodStats();
    } catch (e) {
      chartMessage($('chart-steps'), e.status === 404 ? 'Report unavailable on this runner.' : e.message);
      chartMessage($('chart-timeline'), e.status === 404 ? 'Report unavailable on this runner.' : e.message);
    } finally {
      reporting = false;
      if (!document.hidden) reportTimer = setTimeout(refreshReport, REPORT_EVERY_MS);
    }
  }

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) {
      refreshProfiles();
      refreshReport();
    }
  });

  // ---------------------------------------------------------------- start
  showTokenState();
  if (!token.get()) tokenForm.hidden = false;
  refreshProfiles();
  refreshReport();
  startFeed();
})();
