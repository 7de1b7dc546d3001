// Full-text search over the book. The index is a script the compiler writes
// (assets/search-index.js), loaded the first time the reader opens search,
// so it works on the hosted site and from file:// alike. Ranking: term
// weight (headings count more), prefix matches, and one-typo tolerance.
(() => {
  'use strict';
  const form = document.querySelector('.search');
  if (!form) return;
  const input = form.querySelector('input');
  const list = form.querySelector('.search-results');
  const root = form.dataset.root || '';
  const MAX = 10;
  let index = null;
  let loading = null;
  let active = -1;

  const load = () => {
    if (index || loading) return loading;
    loading = new Promise((resolve) => {
      const s = document.createElement('script');
      s.src = root + 'assets/search-index.js?v=' + (form.dataset.version || '');
      s.onload = () => { index = window.SCALINGDATA_SEARCH; index.vocab = Object.keys(index.terms); resolve(); };
      s.onerror = () => { list.hidden = false; list.textContent = 'Search could not load its index.'; resolve(); };
      document.head.appendChild(s);
    });
    return loading;
  };

  const tokens = (s) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((t) => t.length > 1);

  // within1 reports whether a and b differ by at most one edit.
  const within1 = (a, b) => {
    if (Math.abs(a.length - b.length) > 1) return false;
    let i = 0, j = 0, edits = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { i++; j++; continue; }
      if (++edits > 1) return false;
      if (a.length > b.length) i++; else if (b.length > a.length) j++; else { i++; j++; }
    }
    return edits + (a.length - i) + (b.length - j) <= 1;
  };

  // Terms that match a query word: itself (full weight), words it
  // begins (0.6), and, for longer words, one typo away (0.4).
  const expand = (q) => {
    const out = [];
    for (const t of index.vocab) {
      if (t === q) out.push([t, 1]);
      else if (t.startsWith(q)) out.push([t, 0.6]);
      else if (q.length >= 4 && within1(q, t)) out.push([t, 0.4]);
    }
    return out;
  };

  const search = (query) => {
    const words = tokens(query);
    if (!words.length) return [];
    const scores = new Map();
    const hits = new Map();   // doc → indexes of the query words it matched
    const matched = new Map(); // doc → the index terms that matched
    words.forEach((w, wi) => {
      for (const [term, f] of expand(w)) {
        const postings = index.terms[term];
        const idf = Math.log(1 + index.docs.length / postings.length);
        for (const [doc, weight] of postings) {
          scores.set(doc, (scores.get(doc) || 0) + f * idf * (1 + Math.log(weight)));
          if (!hits.has(doc)) { hits.set(doc, new Set()); matched.set(doc, new Set()); }
          hits.get(doc).add(wi);
          matched.get(doc).add(term);
        }
      }
    });
    return [...scores.entries()]
      .map(([doc, score]) => [doc, score * hits.get(doc).size / words.length])
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX)
      .map(([doc]) => ({ doc: index.docs[doc], terms: [...matched.get(doc)] }));
  };

  // snippet returns the text around the first matched term, with the
  // matched words marked.
  const snippet = (text, terms) => {
    const lower = text.toLowerCase();
    let at = -1;
    for (const t of terms) {
      const i = lower.indexOf(t);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    const start = Math.max(0, at - 60);
    const piece = (start > 0 ? '…' : '') + text.slice(start, start + 180) + (start + 180 < text.length ? '…' : '');
    const frag = document.createDocumentFragment();
    const re = new RegExp('(' + terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') + ')', 'gi');
    let last = 0;
    for (const m of piece.matchAll(re)) {
      frag.append(piece.slice(last, m.index));
      const mark = document.createElement('mark');
      mark.textContent = m[0];
      frag.append(mark);
      last = m.index + m[0].length;
    }
    frag.append(piece.slice(last));
    return frag;
  };

  const show = (results, query) => {
    list.textContent = '';
    active = -1;
    if (!query.trim()) { list.hidden = true; input.setAttribute('aria-expanded', 'false'); return; }
    if (!results.length) {
      const li = document.createElement('li');
      li.className = 'search-none';
      li.textContent = 'Nothing found for “' + query + '”.';
      list.appendChild(li);
    }
    results.forEach((r, i) => {
      const li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.id = 'search-opt-' + i;
      const a = document.createElement('a');
      a.href = root + r.doc.u;
      const title = document.createElement('span');
      title.className = 'search-title';
      title.textContent = r.doc.h ? r.doc.p + ' › ' + r.doc.h : r.doc.p;
      const snip = document.createElement('span');
      snip.className = 'search-snippet';
      snip.appendChild(snippet(r.doc.x, r.terms));
      a.append(title, snip);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };

  const move = (d) => {
    const opts = list.querySelectorAll('[role=option]');
    if (!opts.length) return;
    active = (active + d + opts.length) % opts.length;
    opts.forEach((o, i) => o.classList.toggle('is-active', i === active));
    input.setAttribute('aria-activedescendant', opts[active].id);
    opts[active].scrollIntoView({ block: 'nearest' });
  };

  let timer = 0;
  input.addEventListener('focus', load);
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load().then(() => index && show(search(input.value), input.value)), 60);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); move(1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
    else if (e.key === 'Enter') {
      e.preventDefault();
      const opts = list.querySelectorAll('[role=option] a');
      const pick = opts[Math.max(active, 0)];
      if (pick) location.href = pick.href;
    } else if (e.key === 'Escape') {
      input.value = '';
      show([], '');
      input.blur();
    }
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  // Leaving the search box closes the results (after a click on one has
  // had its chance to follow the link).
  form.addEventListener('focusout', () => setTimeout(() => {
    if (!form.contains(document.activeElement)) { list.hidden = true; input.setAttribute('aria-expanded', 'false'); }
  }, 150));
  document.addEventListener('click', (e) => { if (!form.contains(e.target)) { list.hidden = true; input.setAttribute('aria-expanded', 'false'); } });
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if ((e.key === '/' || e.key === 's') && !e.ctrlKey && !e.metaKey && !e.altKey &&
        !(t.closest && t.closest('input, textarea, select, [contenteditable]'))) {
      e.preventDefault();
      input.focus();
    }
  });
})();
