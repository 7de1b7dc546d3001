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
})();
