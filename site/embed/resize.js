// Scaling Data: sizes every embedded lab frame on this page to its content.
// Optional, one line once per page:
//   <script src="https://YOUR-BOOK-HOST/embed/resize.js" async></script>
// Each lab frame posts {type: "scalingdata:resize", height} when its
// content's height changes; this sets that frame's height (never another
// frame's). Without it a frame keeps the height in its snippet and scrolls.
(() => {
  'use strict';
  if (window.scalingdataResize) return; // included twice: once is enough
  window.scalingdataResize = true;
  addEventListener('message', (e) => {
    const d = e.data;
    if (!d || typeof d !== 'object' || d.type !== 'scalingdata:resize') return;
    const h = Number(d.height);
    if (!Number.isFinite(h) || h < 50) return;
    for (const f of document.getElementsByTagName('iframe')) {
      if (f.contentWindow === e.source) f.style.height = Math.min(Math.ceil(h), 5000) + 'px';
    }
  });
})();
