// Development only (scalingdata serve): reload the page when the book has
// been rebuilt after an edit.
(() => {
  'use strict';
  const me = document.querySelector('script[src*="livereload.js"]');
  const root = me.getAttribute('src').replace(/assets\/livereload\.js.*$/, '');
  const events = new EventSource(root + '__livereload');
  // The server names its latest good build on connect and after each
  // rebuild: a page from another build reloads (even one whose rebuild
  // finished while it was loading).
  events.addEventListener('build', (e) => { if (e.data && e.data !== me.dataset.build) location.reload(); });
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
