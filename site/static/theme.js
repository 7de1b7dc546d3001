// Applies the reader's remembered theme before the page paints. Without a
// choice the page follows prefers-color-scheme (see book.css).
(() => {
  try {
    const t = localStorage.getItem('scalingdata-theme');
    if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
  } catch { /* storage may be off (sandboxed frames, privacy modes) */ }
  const q = new URLSearchParams(location.search).get('theme');
  if (q === 'light' || q === 'dark') document.documentElement.dataset.theme = q;
})();
