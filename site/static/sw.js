// Service worker of Scaling Data: the hosted book keeps working offline.
// The book compiler fills in the edition's version and its shell (the
// pages and assets every visit needs); this file is otherwise served as is.
//
// - Install precaches only the shell, a few hundred kilobytes (the build
//   checks it against SHELL_BUDGET), not the whole book.
// - Pages the reader opens, assets they use, and the lab binary after a lab
//   has run are kept as they come: those work offline afterwards.
// - One cache per edition (named after its content hash); activating a new
//   edition deletes the old caches. Assets carry their edition in ?v=, and
//   are matched exactly, query included, so a page never gets another
//   edition's scripts or lab binary.
const VERSION = 'dev'/*VERSION*/;
const CACHE = 'scalingdata-' + VERSION;
const SHELL_BUDGET = 0/*BUDGET*/; // bytes the first visit may precache
const SHELL = [/*SHELL*/];

// Whether this worker still serves the edition: once a newer edition has
// activated (and deleted this one's cache), this worker is redundant but
// may still be finishing a fetch or message event. It must not write then:
// caches.open would create its deleted cache again, and the old edition's
// cache would stay for good (the new worker's activate has already run).
const current = () => !self.serviceWorker || self.serviceWorker.state !== 'redundant';

// keep stores a response in this edition's cache, never re-creating the
// cache of a worker that was replaced (install created it; clearing a
// site's storage removes its worker too). Should the worker be replaced
// while it writes, it deletes what it wrote to.
const keep = async (key, resp) => {
  if (!current() || !(await caches.has(CACHE)) || !current()) return;
  await (await caches.open(CACHE)).put(key, resp);
  if (!current()) await caches.delete(CACHE);
};

// Reads never create a cache either.
const kept = (key) => caches.match(key, { cacheName: CACHE });

// Where a page is kept: its path, without the query, "/" as "/index.html".
const pageKey = (url) => url.origin + (url.pathname.endsWith('/') ? url.pathname + 'index.html' : url.pathname);

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('scalingdata-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// The page that registered this worker was loaded before it ran: the page
// asks for itself to be kept.
self.addEventListener('message', (e) => {
  const d = e.data;
  if (!d || d.type !== 'scalingdata:keep' || typeof d.url !== 'string') return;
  let url;
  try { url = new URL(d.url, self.registration.scope); } catch { return; }
  if (url.origin !== self.location.origin || !url.pathname.endsWith('.html') && !url.pathname.endsWith('/')) return;
  e.waitUntil((async () => {
    if (!current() || await kept(pageKey(url))) return;
    const resp = await fetch(pageKey(url));
    if (resp.ok) await keep(pageKey(url), resp);
  })().catch(() => {}));
});

// A page that was never opened, asked for offline.
const notSaved = (url) => new Response(
  '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
  '<title>Not saved for offline reading</title><h1>Not saved for offline reading</h1>' +
  '<p>You are offline, and this page was not opened before on this device, so it was not saved. ' +
  'Pages you have opened, and the <a href="' + new URL('index.html', self.registration.scope).href + '">contents</a>, work offline.</p>',
  { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const page = e.request.mode === 'navigate' || url.pathname.endsWith('.html') || url.pathname.endsWith('/');
  e.respondWith((async () => {
    if (page) {
      // Pages: the network first, so a new edition shows at once; the
      // copy kept from the reader's last visit when offline. A page's
      // query (a shared run, ?fig=…) does not change the page itself.
      try {
        const resp = await fetch(e.request);
        if (resp.ok) keep(pageKey(url), resp.clone()).catch(() => {});
        return resp;
      } catch (err) {
        const hit = await kept(pageKey(url));
        if (hit) return hit;
        if (e.request.mode === 'navigate') return notSaved(url);
        throw err;
      }
    }
    // Assets: this edition's copy, matched with its ?v= exactly; fetched
    // and kept on first use.
    const hit = await kept(e.request);
    if (hit) return hit;
    const resp = await fetch(e.request);
    if (resp.ok && resp.type === 'basic') keep(e.request, resp.clone()).catch(() => {});
    return resp;
  })());
});
