// Glossary terms in the text show their definition on hover and on
// keyboard focus, in one shared tooltip that the link points at with
// aria-describedby. Escape hides it.
(() => {
  'use strict';
  const defs = window.SCALINGDATA_GLOSSARY || {};
  const links = Array.from(document.querySelectorAll('.chapter a[href*="glossary.html#"]'))
    .filter((a) => defs[decodeURIComponent(a.hash.slice(1))] && !location.pathname.endsWith('glossary.html'));
  if (!links.length) return;
  const tip = document.createElement('div');
  tip.className = 'term-tip';
  tip.id = 'term-tip';
  tip.setAttribute('role', 'tooltip');
  tip.hidden = true;
  document.body.appendChild(tip);
  let owner = null;

  const show = (a) => {
    owner = a;
    tip.textContent = defs[decodeURIComponent(a.hash.slice(1))];
    tip.hidden = false;
    a.setAttribute('aria-describedby', 'term-tip');
    const r = a.getBoundingClientRect();
    const w = Math.min(320, window.innerWidth - 16);
    tip.style.width = w + 'px';
    tip.style.left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + window.innerWidth - w - 8)) + 'px';
    tip.style.top = (r.bottom + window.scrollY + 6) + 'px';
  };
  const hide = () => {
    if (owner) owner.removeAttribute('aria-describedby');
    owner = null;
    tip.hidden = true;
  };
  for (const a of links) {
    a.classList.add('term');
    a.addEventListener('mouseenter', () => show(a));
    a.addEventListener('mouseleave', hide);
    a.addEventListener('focus', () => show(a));
    a.addEventListener('blur', hide);
  }
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') hide(); });
})();
