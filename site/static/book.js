// Page behaviour: theme toggle, the chapter list on small screens, and
// ← / → to move between chapters.
(() => {
  'use strict';
  const root = document.documentElement;
  const current = () => root.dataset.theme ||
    (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');

  const toggle = document.querySelector('.theme-toggle');
  if (toggle) {
    const label = () => toggle.setAttribute('aria-label', current() === 'dark' ? 'Use the light theme' : 'Use the dark theme');
    label();
    toggle.addEventListener('click', () => {
      const next = current() === 'dark' ? 'light' : 'dark';
      root.dataset.theme = next;
      try { localStorage.setItem('scalingdata-theme', next); } catch { /* not remembered */ }
      label();
      document.dispatchEvent(new Event('themechange'));
    });
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      label();
      document.dispatchEvent(new Event('themechange'));
    });
  }

  const navBtn = document.querySelector('.nav-toggle');
  const sidebar = document.getElementById('sidebar');
  if (navBtn && sidebar) {
    navBtn.addEventListener('click', () => {
      const open = document.body.classList.toggle('nav-open');
      navBtn.setAttribute('aria-expanded', String(open));
      if (open) sidebar.querySelector('a')?.focus();
    });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && document.body.classList.contains('nav-open')) {
        document.body.classList.remove('nav-open');
        navBtn.setAttribute('aria-expanded', 'false');
        navBtn.focus();
      }
    });
  }

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const t = e.target;
    if (t.closest && t.closest('input, select, textarea, button, [contenteditable], figure.lab')) return;
    const rel = e.key === 'ArrowLeft' ? 'prev' : e.key === 'ArrowRight' ? 'next' : '';
    const link = rel && document.querySelector(`.pager a[rel=${rel}]`);
    if (link) location.href = link.href;
  });

  // Highlight the section being read in "On this page".
  const tocLinks = Array.from(document.querySelectorAll('.page-toc a'));
  if (tocLinks.length && 'IntersectionObserver' in window) {
    const byId = new Map(tocLinks.map((a) => [decodeURIComponent(a.hash.slice(1)), a]));
    const visible = new Set();
    const mark = () => {
      const heads = Array.from(byId.keys()).map((id) => document.getElementById(id)).filter(Boolean);
      let current = heads[0];
      for (const h of heads) if (h.getBoundingClientRect().top < 120) current = h;
      for (const a of tocLinks) a.classList.toggle('is-current', current && a === byId.get(current.id));
    };
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) (e.isIntersecting ? visible.add : visible.delete).call(visible, e.target);
      mark();
    }, { rootMargin: '0px 0px -60% 0px' });
    for (const id of byId.keys()) { const h = document.getElementById(id); if (h) io.observe(h); }
    mark();
  }

  // Offline after the first visit (hosted site only: file:// pages are
  // offline already).
  if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
    const root = document.querySelector('.book-title')?.getAttribute('href')?.replace(/index\.html$/, '') || '';
    navigator.serviceWorker.register(root + 'sw.js').then(() => navigator.serviceWorker.ready).then((reg) => {
      // This page loaded before the worker ran: ask it to keep the page.
      if (reg.active) reg.active.postMessage({ type: 'scalingdata:keep', url: location.href });
      const foot = document.querySelector('.sidebar-foot');
      if (!foot || foot.querySelector('.offline')) return;
      const note = document.createElement('span');
      note.className = 'offline';
      note.textContent = 'Pages you open work offline';
      note.title = 'Your browser keeps the pages you open here, the contents and search, and each lab after its first run, so they work without a network. Pages never opened are not saved.';
      foot.append(document.createElement('br'), note);
    }).catch(() => { /* not available here (private mode, blocked): the book works online */ });
  }

  // Progress: which worked answers the reader opened and which labs ran on
  // this page, kept in this browser only (localStorage), never sent
  // anywhere, except to a page that frames this one (a course platform).
  const page = location.pathname.split('/').pop() || 'index.html';
  const key = 'scalingdata-progress:' + page;
  const load = () => { try { return JSON.parse(localStorage.getItem(key)) || {}; } catch { return {}; } };
  const save = (p) => { try { localStorage.setItem(key, JSON.stringify(p)); } catch { /* not kept */ } };
  const answers = Array.from(document.querySelectorAll('details.answer'));
  const figures = Array.from(document.querySelectorAll('.chapter figure.lab'));
  const progress = Object.assign({ answers: [], labs: [] }, load());
  const report = () => {
    const opened = answers.filter((_, i) => progress.answers.includes(i)).length;
    const ran = figures.filter((f) => progress.labs.includes(f.id)).length;
    answers.forEach((d, i) => d.classList.toggle('is-done', progress.answers.includes(i)));
    const line = document.querySelector('.progress-line');
    if (line) line.textContent = `You have opened ${opened} of ${answers.length} worked answers and run ${ran} of ${figures.length} labs on this page.`;
    if (window.parent !== window) {
      window.parent.postMessage({ type: 'scalingdata:progress', answers: answers.length, answersOpened: opened, labs: figures.length, labsRun: ran }, '*');
    }
  };
  if (answers.length || figures.length) {
    const check = document.getElementById('check-yourself');
    if (check && answers.length) {
      const p = document.createElement('p');
      p.className = 'progress-line';
      p.setAttribute('aria-live', 'polite');
      check.after(p);
    }
    answers.forEach((d, i) => d.addEventListener('toggle', () => {
      if (d.open && !progress.answers.includes(i)) { progress.answers.push(i); save(progress); report(); }
    }));
    document.addEventListener('labrun', (e) => {
      const id = e.target.id;
      if (id && !progress.labs.includes(id)) { progress.labs.push(id); save(progress); report(); }
    });
    report();
  }
})();
