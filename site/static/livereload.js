// Development only (scalingdata serve): reload the page when the book has
// been rebuilt after an edit.
(() => {
  'use strict';
  const root = document.querySelector('script[src*="livereload.js"]').getAttribute('src').replace(/assets\/livereload\.js.*$/, '');
  const events = new EventSource(root + '__livereload');
  events.addEventListener('reload', () => location.reload());
  events.addEventListener('broken', (e) => {
    const msg = e.data;
    if (!msg) return;
    let bar = document.querySelector('.build-error');
    if (!bar) {
      bar = document.createElement('pre');
      bar.className = 'build-error';
      document.body.prepend(bar);
    }
    bar.textContent = 'The book did not build:\n' + msg;
  });
  events.addEventListener('ok', () => document.querySelector('.build-error')?.remove());
})();
