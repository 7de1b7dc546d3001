// The Embed dialog's snippet in Firefox ESR, driven by puppeteer-core over
// WebDriver BiDi. TestEmbedSnippetFirefox (book/embed_firefox_browser_test.go)
// runs it under xvfb-run (headless Firefox has no WebGL2 here).
//
//   node embed.cjs http://book-origin http://course-origin shots/
//
// It opens the quorum chapter on the book's origin (a plain static server,
// no CORS headers), opens the Embed dialog of its lab and takes its
// snippet; it POSTs the snippet to the course origin's /snippet, which then
// serves a course page with it pasted in. At 320 and 800 px it opens that
// page and waits until the lab in its sandboxed frame reports metrics that
// move on and the frame's height is the height the frame reported (not
// the 700 px of the snippet); it saves a screenshot of each (embed-<w>.png).
// It exits non-zero, saying which step failed, when any step fails.
'use strict';
const path = require('path');
const { step, run, fig } = require('./harness.cjs');

const [book, course, shots] = process.argv.slice(2);

run(150000, async (page) => {
  let snippet;
  await step('take the snippet from the Embed dialog', async () => {
    // The dialog works before the lab runs (TestEmbedDialogSnippet, in
    // Chromium, takes it from a running lab): no lab starts here only to
    // be left.
    await page.goto(book + '/quorums.html');
    await page.waitForSelector('figure.lab [data-cmd=embed]');
    await page.evaluate(`${fig}.querySelector('[data-cmd=embed]').click()`);
    await page.waitForFunction(`${fig}.querySelector('.lab-embed').open`);
    snippet = await page.evaluate(`(() => { const f = ${fig}.querySelector('.lab-embed form');
      f.elements.controls.checked = false; f.elements.autoplay.checked = true; f.elements.height.value = '700';
      f.dispatchEvent(new Event('input', {bubbles: true}));
      return ${fig}.querySelector('.lab-embed textarea').value; })()`);
    if (!snippet.includes('sandbox="allow-scripts') || !snippet.includes('/embed/resize.js')) throw new Error(`snippet: ${snippet}`);
    const r = await fetch(course + '/snippet', { method: 'POST', body: snippet });
    if (!r.ok) throw new Error(`POST /snippet: ${r.status}`);
  });
  for (const width of [320, 800]) {
    await step(`the snippet runs in a sandboxed frame on another origin at ${width} px`, async () => {
      await page.setViewport({ width, height: 800 });
      await page.goto(course + '/');
      await page.evaluate(`document.querySelector('iframe').scrollIntoView()`);
      await page.waitForFunction(`(() => { const ts = window.got.filter(m => m.type === 'scalingdata:metrics' && m.lab === 'quorum' && typeof m.values.writes_ok === 'number').map(m => m.t);
        return ts.length > 1 && ts[ts.length-1] > ts[0]; })()`);
      await page.waitForFunction(`(() => { const r = window.got.filter(m => m.type === 'scalingdata:resize');
        return r.length > 0 && r[r.length-1].height !== 700 &&
          Math.abs(document.querySelector('iframe').getBoundingClientRect().height - r[r.length-1].height) < 1.5; })()`);
      const errors = await page.evaluate(`JSON.stringify(window.got.filter(m => m.type === 'scalingdata:error'))`);
      if (errors !== '[]') throw new Error(`the lab reported ${errors}`);
      await page.screenshot({ path: path.join(shots, `embed-${width}.png`) });
    });
  }
});
