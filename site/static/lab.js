// The lab host: turns each <figure class="lab"> into a live lab on demand.
// The controls are plain HTML; the lab itself runs in an iframe (one
// WebAssembly instance per lab) and talks to this page by postMessage only.
(() => {
  'use strict';
  const MAX_LIVE = 3;          // live WebGL contexts per page
  const LOG_KEEP = 200;        // events shown in a log
  const ANNOUNCE_MS = 2000;    // at most one screen-reader announcement per lab this often
  const labs = [];
  let clock = 0;               // for least-recently-used eviction

  const $ = (root, sel) => root.querySelector(sel);
  const $$ = (root, sel) => Array.from(root.querySelectorAll(sel));
  const theme = () => document.documentElement.dataset.theme ||
    (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const fmtMs = (ms) => ms >= 10000 ? (ms / 1000).toFixed(1) + ' s' : Math.round(ms) + ' ms';
  const MAX_TARGETS = 64;      // names in the target picker
  const MAX_METRICS = 64;
  const MAX_TEXT = 2000;       // characters of a notice, description or event

  // A form's own control called name: never a property of the collection
  // (elements['namedItem'] is a function, elements['length'] a number).
  const field = (form, name) => {
    if (typeof name !== 'string' || !name) return null;
    const el = form.elements.namedItem(name);
    return (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) && el.name === name ? el : null;
  };

  // Messages from a lab frame, checked field by field: what comes back has
  // only fields of the right type and size (lists capped), or is null and
  // is ignored. The frame is ours, but a page may be framed by anyone and
  // a broken binary may say anything.
  const str = (v, max) => typeof v === 'string' && v.length <= max;
  const num = (v) => typeof v === 'number' && Number.isFinite(v);
  const time = (v) => (num(v) && v >= 0 ? v : 0);
  const fromLab = (d) => {
    const type = d.type;
    switch (type) {
      case 'scalingdata:ready':
      case 'scalingdata:frame':
      case 'scalingdata:restart':
        return { type };
      case 'scalingdata:loading':
        return num(d.loaded) && num(d.total) && d.loaded >= 0 && d.total > 0 ? { type, loaded: d.loaded, total: d.total } : null;
      case 'scalingdata:state': {
        const out = { type, playing: d.playing === true, offscreen: d.offscreen === true, done: d.done === true, t: time(d.t), horizon: time(d.horizon) };
        if (str(d.do, 20000) && /^[\w:,.-]*$/.test(d.do)) out.do = d.do;
        if (Array.isArray(d.targets)) out.targets = d.targets.slice(0, MAX_TARGETS).map((x) => (str(x, 40) ? x : '?'));
        if (str(d.describe, MAX_TEXT)) out.describe = d.describe;
        if (num(d.seekTo) && num(d.seekAt)) { out.seekTo = time(d.seekTo); out.seekAt = time(d.seekAt); }
        return out;
      }
      case 'scalingdata:metrics': {
        const v = d.values;
        if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
        const values = {};
        for (const [k, x] of Object.entries(v).slice(0, MAX_METRICS)) {
          if (str(k, 64) && (num(x) || typeof x === 'boolean')) values[k] = x;
        }
        // Each value as the lab's canvas prints it (lab.Metric.Format).
        const text = {};
        if (d.text && typeof d.text === 'object' && !Array.isArray(d.text)) {
          for (const [k, x] of Object.entries(d.text).slice(0, MAX_METRICS)) {
            if (str(k, 64) && str(x, 40)) text[k] = x;
          }
        }
        return { type, values, text, t: time(d.t) };
      }
      case 'scalingdata:events': {
        if (!Array.isArray(d.events)) return null;
        const events = d.events.slice(-LOG_KEEP).filter((e) => e && typeof e === 'object' && str(e.text, MAX_TEXT))
          .map((e) => ({ at: time(e.at), kind: str(e.kind, 32) ? e.kind : '', text: e.text }));
        return { type, events };
      }
      case 'scalingdata:layout': {
        if (!(['wide', 'narrow'].includes(d.layout) && num(d.minText) && num(d.halos))) return null;
        const out = { type, layout: d.layout, minText: d.minText, halos: d.halos };
        const size = (v) => num(v) && v > 0 && v <= 5000;
        if (size(d.width) && size(d.height)) { out.width = d.width; out.height = d.height; }
        return out;
      }
      case 'scalingdata:notice':
        return { type, text: str(d.text, MAX_TEXT) ? d.text : '' };
      case 'scalingdata:key':
        return ['Escape', ' ', 'ArrowRight'].includes(d.key) ? { type, key: d.key } : null;
      case 'scalingdata:error':
        return { type, text: str(d.text, MAX_TEXT) ? d.text : 'an unknown error' };
    }
    return null;
  };
  // Which controls apply (data-when, from the schema's Param.When).
  const applies = (form, when) => {
    const el = form.elements[when.param];
    if (!el) return true;
    if (el.type === 'checkbox') return when.is.includes(el.checked ? 'on' : 'off');
    if (when.is) return when.is.includes(el.value);
    return Number(el.value) >= when.atLeast;
  };
  // Settings and numbers start folded on small screens, open on wide ones.
  const wide = matchMedia('(min-width: 48rem)');
  const reduced = matchMedia('(prefers-reduced-motion: reduce)');

  class Lab {
    constructor(fig) {
      this.fig = fig;
      this.name = fig.dataset.lab;
      this.stage = $(fig, '.lab-stage');
      this.form = $(fig, '.lab-controls');
      this.log = $(fig, '.lab-log');
      this.notice = $(fig, '.lab-notice');
      this.playBtn = $(fig, '.lab-play');
      this.frame = null;
      this.playing = false;
      this.visible = true;
      this.lastAnnounce = 0;
      this.live = document.createElement('p');
      this.live.className = 'visually-hidden';
      this.live.setAttribute('aria-live', 'polite');
      fig.appendChild(this.live);
      // Every control's value as the page was built (the figure's own
      // settings over the schema's defaults): what a preset leaves unset.
      this.initial = this.params();
      this.scrub = $(fig, '.lab-scrub');
      this.state = {};
      this.messages = 0;
      this.wire();
    }

    // The lab's parameters as the frame reads them.
    params() {
      const out = {};
      for (const el of this.form.elements) {
        if (!el.name || el.name === 'preset') continue;
        out[el.name] = el.type === 'checkbox' ? (el.checked ? 'on' : 'off') : el.value;
      }
      return out;
    }
    seed() { return $(this.fig, '[data-cmd=seed]').value || '1'; }
    query(extra) {
      const q = new URLSearchParams({ lab: this.name, ...this.params(), seed: this.seed(), ...extra });
      return q.toString();
    }

    wire() {
      $(this.fig, '.lab-run').addEventListener('click', () => this.start(true));
      this.form.addEventListener('submit', (e) => e.preventDefault());
      this.form.addEventListener('input', (e) => this.changed(e.target));
      $$(this.fig, '[data-cmd]').forEach((el) => {
        const ev = el.tagName === 'BUTTON' ? 'click' : el.dataset.cmd === 'seek' ? 'input' : 'change';
        el.addEventListener(ev, () => this.command(el.dataset.cmd, el));
      });
      $$(this.fig, '[data-action]').forEach((el) => el.addEventListener('click', () => {
        const sel = $(this.fig, '.lab-arg');
        const arg = el.hasAttribute('data-arg') && sel ? Number(sel.value) : 0;
        this.ensure().then(() => this.post({ type: 'scalingdata:action', name: el.dataset.action, arg }));
      }));
      this.syncBounds();
      this.syncWhen();
      for (const d of $$(this.fig, 'details.lab-fold')) d.open = wide.matches;
      this.fig.addEventListener('keydown', (e) => {
        if (e.target.closest('input, select, textarea, summary') || e.altKey || e.ctrlKey || e.metaKey) return;
        if (e.key === ' ' && !e.target.closest('button')) { e.preventDefault(); this.command('toggle'); }
        else if (e.key === 'ArrowRight') { e.preventDefault(); this.command('step'); }
      });
      new IntersectionObserver((entries) => {
        for (const en of entries) {
          this.visible = en.isIntersecting;
          if (this.frame) this.post({ type: this.visible ? 'scalingdata:resume' : 'scalingdata:pause', reason: 'offscreen' });
        }
      }, { rootMargin: '100px' }).observe(this.stage);
    }

    changed(el) {
      if (el.name === 'preset') {
        this.applyPreset(el.value);
      } else {
        const preset = $(this.form, '[name=preset]');
        if (preset) preset.value = '';
      }
      this.showValue(el);
      this.syncBounds();
      this.syncWhen();
      if (this.frame) this.post({ type: 'scalingdata:params', values: this.params() });
    }
    showValue(el) {
      const out = el.parentElement && $(el.parentElement, 'output');
      if (out && el.type === 'range') {
        const unit = out.textContent.replace(/^[-\d.]+\s*/, '');
        out.textContent = el.value + (unit ? ' ' + unit : '');
      }
    }
    applyPreset(name) {
      const presets = JSON.parse(this.fig.dataset.presets || '{}');
      const vals = presets[name];
      if (!vals) return;
      // What the preset leaves unset goes back to the figure's value (it
      // once kept the previous preset's: fast-stale after dynamo kept
      // dynamo's sloppy quorum, hinted handoff and read repair).
      this.assign((name) => (name in vals ? vals[name] : this.initial[name]));
    }
    // assign sets each control (but the preset) to valueOf(its name), where
    // that is not null. Twice: a slider bounded by another parameter
    // (n ≤ nodes) clamps a value above its current bound (strict5's n=5
    // after a preset with 3 nodes became 3), so the values go in again
    // once the new bounds are in place.
    assign(valueOf) {
      for (let pass = 0; pass < 2; pass++) {
        for (const el of this.form.elements) {
          if (!el.name || el.name === 'preset') continue;
          const v = valueOf(el.name);
          if (v == null) continue;
          if (el.type === 'checkbox') el.checked = v === 'on'; else el.value = v;
          this.showValue(el);
        }
        this.syncBounds();
      }
    }
    // A control that does not apply with the other settings is hidden.
    syncWhen() {
      for (const el of $$(this.form, '[data-when]')) {
        let when;
        try { when = JSON.parse(el.dataset.when); } catch { continue; }
        el.hidden = !applies(this.form, when);
      }
    }
    // Parameters bounded by another (w ≤ n) and the node picker follow it.
    syncBounds() {
      for (const el of $$(this.form, '[data-max-param]')) {
        const bound = field(this.form, el.dataset.maxParam);
        if (!bound) continue;
        // The schema's maximum, kept before the first bound lowers it (a
        // bound that later rises must lift the slider's max again).
        if (!el.hasAttribute('data-abs-max')) el.setAttribute('data-abs-max', el.getAttribute('max'));
        el.max = Math.min(Number(el.getAttribute('data-abs-max')), Number(bound.value));
        if (Number(el.value) > Number(bound.value)) { el.value = bound.value; this.showValue(el); }
      }
      const sel = $(this.fig, '.lab-arg');
      if (sel && !this.targets && field(this.form, sel.dataset.param)) {
        const n = Math.min(MAX_TARGETS, Number(field(this.form, sel.dataset.param).value));
        const keep = sel.value;
        sel.textContent = '';
        for (let i = 0; i < n; i++) {
          const o = document.createElement('option');
          o.value = String(i);
          o.textContent = String.fromCharCode(65 + i);
          sel.appendChild(o);
        }
        if (Number(keep) < n) sel.value = keep;
      }
    }

    command(cmd, el) {
      switch (cmd) {
        case 'toggle':
          if (!this.frame) { this.start(true); return; }
          this.post({ type: this.playing ? 'scalingdata:pause' : 'scalingdata:play' });
          return;
        case 'step': this.ensure().then(() => this.post({ type: 'scalingdata:step' })); return;
        case 'speed': if (this.frame) this.post({ type: 'scalingdata:speed', value: Number(el.value) }); return;
        case 'reset': if (this.frame) { this.clearLog(); this.post({ type: 'scalingdata:reset' }); } return;
        case 'seed': if (this.frame) { this.clearLog(); this.post({ type: 'scalingdata:seed', value: Number(el.value) }); } return;
        case 'copy': this.copyLink(el); return;
        case 'seek':
          if (!this.frame) return;
          cancelAnimationFrame(this.seekFrame);
          this.seekFrame = requestAnimationFrame(() => this.post({ type: 'scalingdata:seek', value: Number(el.value) }));
          return;
        case 'embed': this.openEmbed(); return;
        case 'fullscreen':
          if (document.fullscreenElement) document.exitFullscreen();
          else if (this.fig.requestFullscreen) this.fig.requestFullscreen().catch(() => this.say('Full screen is not allowed here.'));
          return;
      }
    }

    copyLink(btn) {
      const url = new URL(location.href);
      const embed = document.body.classList.contains('embed');
      const moment = {};
      if (this.frame && this.state.t) moment.t = String(Math.round(this.state.t * 1000) / 1000);
      if (this.frame && this.state.do) moment.do = this.state.do;
      url.search = embed ? this.query(moment) : 'fig=' + encodeURIComponent(this.fig.id) + '&' + this.query(moment);
      url.hash = embed ? '' : this.fig.id;
      this.fig.dataset.shareLink = url.href;
      const done = (ok) => {
        btn.textContent = ok ? 'Link copied' : 'Copy failed';
        setTimeout(() => { btn.textContent = 'Copy link'; }, 1500);
      };
      if (navigator.clipboard) navigator.clipboard.writeText(url.href).then(() => done(true), () => this.showLink(url.href, done));
      else this.showLink(url.href, done);
    }
    // The embed dialog: an iframe snippet for the current run and moment.
    openEmbed() {
      const dlg = $(this.fig, '.lab-embed');
      if (!dlg) return;
      const form = $(dlg, 'form');
      const code = $(dlg, 'textarea');
      const update = () => {
        const extra = {};
        if (!form.elements.controls.checked) extra.controls = '0';
        if (form.elements.autoplay.checked) extra.autoplay = '1';
        if (form.elements.theme.value !== 'auto') extra.theme = form.elements.theme.value;
        if (this.frame && this.state.t) extra.t = String(Math.round(this.state.t * 1000) / 1000);
        if (this.frame && this.state.do) extra.do = this.state.do;
        const src = new URL(this.fig.dataset.embed, location.href);
        src.search = this.query(extra);
        const h = Math.max(240, Math.min(2000, Number(form.elements.height.value) || 800));
        const title = $(this.fig, '.lab-title').textContent.replace(/^Lab: /, '');
        const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
        // The optional script sizes the frame to its content (one line,
        // once per page); without it the frame keeps this height and scrolls.
        const resize = new URL('resize.js', src);
        code.value = `<iframe src="${esc(src.href)}" title="${esc(title + ' (Scaling Data lab)')}" width="100%" height="${h}" ` +
          `style="border:0;max-width:100%" sandbox="allow-scripts allow-popups allow-fullscreen" allow="fullscreen" loading="lazy"></iframe>\n` +
          `<script src="${esc(resize.href)}" async></script>`;
      };
      if (!dlg.dataset.wired) {
        dlg.dataset.wired = '1';
        form.addEventListener('input', update);
        $(dlg, '[data-embed-copy]').addEventListener('click', (e) => {
          code.select();
          const btn = e.currentTarget;
          const done = (ok) => { btn.textContent = ok ? 'Copied' : 'Select and copy'; setTimeout(() => { btn.textContent = 'Copy'; }, 1500); };
          if (navigator.clipboard) navigator.clipboard.writeText(code.value).then(() => done(true), () => done(false)); else done(false);
        });
      }
      update();
      if (dlg.showModal) dlg.showModal(); else dlg.setAttribute('open', '');
      code.focus();
    }

    showLink(href, done) {
      this.say('Link to this run: ' + href);
      done(false);
    }

    ensure() { return this.frame ? this.ready : this.start(false); }

    start(play) {
      if (this.frame) return this.ready;
      const live = labs.filter((l) => l.frame);
      if (live.length >= MAX_LIVE) {
        live.sort((a, b) => a.used - b.used)[0].stop();
      }
      this.used = ++clock;
      this.startedAt = performance.now();
      const iframe = document.createElement('iframe');
      iframe.className = 'lab-frame';
      iframe.title = $(this.fig, '.lab-title').textContent + ' (canvas; the event log below describes it)';
      iframe.setAttribute('allow', 'fullscreen');
      const extra = { theme: theme(), autoplay: play ? '1' : '0', ...(this.pendingMoment || {}) };
      if (reduced.matches) extra.motion = 'reduce';
      this.pendingMoment = null;
      iframe.src = this.fig.dataset.frame + '?' + this.query(extra);
      this.frame = iframe;
      this.stage.appendChild(iframe);
      this.showLoading();
      this.fig.classList.add('is-live');
      this.clearLog();
      this.ready = new Promise((resolve) => { this.resolveReady = resolve; });
      return this.ready;
    }

    // A narrow layout is as tall as its configuration needs (two regions
    // take less room than three): the stage takes the shape the lab
    // drew at, not the poster's, once the two differ. Stopping the lab
    // gives the poster its stage back.
    fitStage(d) {
      const fit = d && d.layout === 'narrow' && d.width && d.height;
      this.stage.style.aspectRatio = fit ? `${d.width} / ${d.height}` : '';
      this.stage.classList.toggle('is-fitted', !!fit);
    }

    // While the binary loads, the poster stays (dimmed) under a progress
    // bar that counts its bytes; the frame shows once it has drawn.
    showLoading() {
      this.hideLoading();
      const box = document.createElement('div');
      box.className = 'lab-loading';
      box.setAttribute('role', 'status');
      const text = document.createElement('p');
      text.textContent = 'Loading the lab…';
      const bar = document.createElement('progress');
      bar.max = 1;
      bar.value = 0;
      bar.setAttribute('aria-label', 'Loading the lab');
      box.append(text, bar);
      this.loading = box;
      this.stage.appendChild(box);
      this.fig.classList.add('is-loading');
    }
    hideLoading() {
      if (this.loading) this.loading.remove();
      this.loading = null;
      this.fig.classList.remove('is-loading', 'is-failed');
    }
    // A lab that could not start says why, over its poster, with a retry.
    showFailure(text) {
      if (!this.loading) this.showLoading();
      this.fig.classList.add('is-failed');
      const box = this.loading;
      box.textContent = '';
      const p = document.createElement('p');
      p.textContent = text;
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.textContent = 'Try again';
      retry.addEventListener('click', () => { this.notice.hidden = true; this.stop(); this.start(true); });
      box.append(p, retry);
    }

    stop() {
      if (!this.frame) return;
      this.fitStage(null);
      this.hideLoading();
      this.frame.remove();
      this.frame = null;
      this.playing = false;
      this.fig.classList.remove('is-live');
      this.setPlaying(false);
    }

    post(msg) { if (this.frame && this.frame.contentWindow) this.frame.contentWindow.postMessage(msg, '*'); }

    receive(raw) {
      const d = fromLab(raw);
      if (!d) return;
      this.used = ++clock;
      // Every message from the frame is counted where tests (and tools)
      // can wait for the next one instead of for a fixed time.
      this.fig.dataset.messages = String(++this.messages);
      switch (d.type) {
        case 'scalingdata:ready':
          this.post({ type: 'scalingdata:theme', value: theme() });
          if (!this.visible) this.post({ type: 'scalingdata:pause', reason: 'offscreen' });
          this.resolveReady();
          break;
        case 'scalingdata:layout':
          // What the canvas drew: its layout and its smallest text in CSS
          // px on screen (tests read these).
          this.fig.dataset.layout = d.layout;
          this.fig.dataset.minText = String(d.minText);
          this.fig.dataset.halos = String(d.halos);
          this.fitStage(d);
          break;
        case 'scalingdata:frame':
          this.fig.dataset.firstFrame = String(performance.now() - this.startedAt);
          this.hideLoading();
          break;
        case 'scalingdata:loading': {
          const bar = this.loading && $(this.loading, 'progress');
          const loaded = Number(d.loaded), total = Number(d.total);
          if (!bar || !(total > 0) || !(loaded >= 0)) break;
          bar.max = total;
          bar.value = Math.min(loaded, total);
          this.fig.dataset.loaded = String(Math.min(loaded, total));
          $(this.loading, 'p').textContent = loaded >= total ? 'Starting the lab…'
            : `Loading the lab: ${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`;
          break;
        }
        case 'scalingdata:restart':
          this.clearLog();
          for (const dd of $$(this.fig, '[data-metric]')) { dd.textContent = '–'; delete dd.dataset.value; }
          break;
        case 'scalingdata:state':
          this.state = d;
          if (Array.isArray(d.targets)) this.setTargets(d.targets.map(String));
          this.setPlaying(!!d.playing);
          this.fig.toggleAttribute('data-offscreen', !!d.offscreen); // idle until scrolled back
          this.scrub.disabled = !(d.horizon > 0);
          this.scrub.max = String(d.horizon || 0);
          if (document.activeElement !== this.scrub) this.scrub.value = String(d.t || 0);
          this.scrub.setAttribute('aria-valuetext', fmtMs(d.t || 0) + ' of ' + fmtMs(d.horizon || 0));
          // A long seek is replayed a slice per frame: show how far.
          if (d.seekTo !== undefined) {
            const pct = d.seekTo > 0 ? Math.min(99, Math.floor(100 * d.seekAt / d.seekTo)) : 0;
            $(this.fig, '.lab-time').textContent = `Going to ${fmtMs(d.seekTo)}… ${pct}%`;
            this.fig.dataset.seeking = String(pct);
          } else {
            $(this.fig, '.lab-time').textContent = fmtMs(d.t) + (d.done ? ' · done' : '');
            delete this.fig.dataset.seeking;
          }
          if (d.describe !== undefined) this.frame.title = d.describe;
          break;
        case 'scalingdata:metrics':
          if (d.t >= 1000 && !this.ran) { this.ran = true; this.fig.dispatchEvent(new Event('labrun', { bubbles: true })); }
          toHost({ type: 'scalingdata:metrics', lab: this.name, values: d.values, t: d.t });
          for (const [k, v] of Object.entries(d.values || {})) {
            const dd = $(this.fig, `[data-metric="${CSS.escape(k)}"]`);
            if (!dd) continue;
            dd.dataset.value = String(v);
            // The lab formats its numbers (lab.Metric.Format), so the card
            // and the canvas print the same value the same way.
            dd.textContent = d.text[k] !== undefined ? d.text[k] : String(v);
          }
          break;
        case 'scalingdata:events':
          this.addEvents(d.events);
          break;
        case 'scalingdata:notice':
          this.notice.hidden = !d.text;
          this.notice.textContent = d.text || '';
          break;
        case 'scalingdata:key':
          if (d.key === 'Escape') $(this.fig, '.lab-play').focus();
          else if (d.key === ' ') this.command('toggle');
          else if (d.key === 'ArrowRight') this.command('step');
          break;
        case 'scalingdata:error':
          toHost({ type: 'scalingdata:error', lab: this.name, text: String(d.text) });
          this.notice.hidden = false;
          if (this.loading) {
            // It never started: the frame's sentence says what and what to do.
            this.notice.textContent = String(d.text);
            this.showFailure(String(d.text));
          } else {
            this.notice.textContent = 'The lab stopped: ' + d.text;
          }
          break;
      }
    }

    // The lab says which nodes or shards its actions can name now.
    setTargets(names) {
      const sel = $(this.fig, '.lab-arg');
      if (!sel || names.join('\n') === this.targets) return;
      this.targets = names.join('\n');
      const keep = sel.value;
      sel.textContent = '';
      names.forEach((name, i) => {
        const o = document.createElement('option');
        o.value = String(i);
        o.textContent = name;
        sel.appendChild(o);
      });
      if (Number(keep) < names.length) sel.value = keep;
    }

    setPlaying(p) {
      this.playing = p;
      this.playBtn.textContent = p ? 'Pause' : 'Play';
      this.playBtn.setAttribute('aria-pressed', String(p));
    }

    clearLog() {
      this.log.textContent = '';
    }
    addEvents(events) {
      if (!events.length) return;
      const frag = document.createDocumentFragment();
      for (const e of events) {
        const li = document.createElement('li');
        li.className = 'ev-' + String(e.kind).replace(/[^a-z-]/g, '');
        const t = document.createElement('time');
        t.textContent = fmtMs(e.at);
        li.append(t, ' ', e.text);
        frag.appendChild(li);
      }
      this.log.appendChild(frag);
      while (this.log.children.length > LOG_KEEP) this.log.firstElementChild.remove();
      this.log.scrollTop = this.log.scrollHeight;
      const now = performance.now();
      if (now - this.lastAnnounce > ANNOUNCE_MS) {
        this.lastAnnounce = now;
        this.say(events[events.length - 1].text);
      }
    }
    say(text) { this.live.textContent = text; }
  }

  // An embed page talks to the page around it (a course platform): it
  // reports its height and the lab's metrics, and takes a few commands.
  const embedded = document.body.classList.contains('embed') && window.parent !== window;
  const framed = window.parent !== window;
  const toHost = (msg) => { if (framed) window.parent.postMessage(msg, '*'); };
  if (embedded) {
    // The content's height, not the document's: the document is at least
    // as tall as the frame, so it would let the frame grow but never shrink.
    let last = 0;
    const main = document.querySelector('main') || document.body;
    const report = () => {
      const bottom = main.getBoundingClientRect().bottom + window.scrollY;
      const h = Math.ceil(bottom + parseFloat(getComputedStyle(document.body).marginBottom || '0'));
      if (h !== last) { last = h; toHost({ type: 'scalingdata:resize', height: h }); }
    };
    new ResizeObserver(report).observe(main);
    report();
  }
  // Commands a host may send: play, pause, reset, and params with string
  // values for known controls. Anything else is ignored.
  const fromHost = (d) => {
    const lab = labs[0];
    if (!lab || typeof d.type !== 'string') return;
    const keys = Object.keys(d);
    switch (d.type) {
      case 'scalingdata:play':
      case 'scalingdata:pause':
      case 'scalingdata:reset':
        if (keys.length !== 1) return;
        if (d.type === 'scalingdata:play' && !lab.frame) { lab.start(true); return; }
        if (lab.frame) lab.post({ type: d.type });
        return;
      case 'scalingdata:params': {
        const v = d.values;
        if (keys.length !== 2 || !v || typeof v !== 'object' || Array.isArray(v)) return;
        const entries = Object.entries(v);
        if (!entries.length || entries.length > 32) return;
        for (const [k, val] of entries) {
          if (typeof val !== 'string' || val.length > 64 || !field(lab.form, k) || k === 'preset') return;
        }
        for (const [k, val] of entries) {
          const el = field(lab.form, k);
          if (el.type === 'checkbox') el.checked = val === 'on'; else el.value = val;
          lab.showValue(el);
        }
        lab.changed(field(lab.form, entries[0][0]));
        return;
      }
    }
  };

  window.addEventListener('message', (e) => {
    const d = e.data;
    if (!d || typeof d !== 'object' || typeof d.type !== 'string') return;
    const lab = labs.find((l) => l.frame && l.frame.contentWindow === e.source);
    if (lab) lab.receive(d);
    else if (embedded && e.source === window.parent) fromHost(d);
  });

  document.addEventListener('themechange', () => {
    for (const l of labs) l.post({ type: 'scalingdata:theme', value: theme() });
  });
  reduced.addEventListener('change', () => {
    for (const l of labs) l.post({ type: 'scalingdata:motion', value: reduced.matches ? 'reduce' : 'no-preference' });
  });

  const init = () => {
    if (new URLSearchParams(location.search).get('controls') === '0') document.body.classList.add('no-controls');
    for (const fig of document.querySelectorAll('figure.lab')) labs.push(new Lab(fig));
    // A shared link: ?fig=<id>&lab=…&k=v&seed=s (chapters) or ?k=v… (embed pages).
    const q = new URLSearchParams(location.search);
    const embed = document.body.classList.contains('embed');
    const target = embed ? labs[0] : labs.find((l) => l.fig.id === q.get('fig'));
    if (!target || (!embed && !q.has('fig')) || (embed && !q.has('lab') && !q.has('seed'))) return;
    target.assign((name) => q.get(name));
    if (q.has('seed')) $(target.fig, '[data-cmd=seed]').value = q.get('seed');
    const preset = $(target.form, '[name=preset]');
    if (preset) preset.value = '';
    target.syncWhen();
    // A shared moment (t=, do=) opens at that moment, paused, unless an
    // embed asks to play on from it (autoplay=1).
    const moment = {};
    for (const k of ['t', 'do']) if (q.has(k)) moment[k] = q.get(k);
    const shared = Object.keys(moment).length > 0;
    target.pendingMoment = moment;
    if (!embed || q.get('autoplay') === '1' || shared) {
      target.fig.scrollIntoView();
      target.start(embed ? q.get('autoplay') === '1' : !shared);
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
