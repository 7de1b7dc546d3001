// Firefox smoke test for the offline bundle, driven by puppeteer-core over
// WebDriver BiDi. TestOfflineBundleFirefox (book/firefox_test.go) runs it
// under xvfb-run, because headless Firefox has no WebGL2 for Ebiten.
//
//   PUPPETEER_CORE=.cache/npm/node_modules/puppeteer-core \
//   xvfb-run -a node smoke.cjs file:///…/index.html shots/ quorum shard …
//
// It opens the book, navigates, searches, opens the print page, runs the
// lab in a chapter, then opens every named lab's embed page and runs it,
// saving a screenshot of each lab's canvas in shots/ (<lab>.png).
// It exits non-zero, saying which step failed, when any step fails.
'use strict';
const path = require('path');
const { step, run, fig } = require('./harness.cjs');

const [index, shots, ...labs] = process.argv.slice(2);

run(90000, async (page) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));

  await step('open index.html from file://', async () => {
    await page.goto(index);
    await page.waitForSelector('.sidebar');
  });
  await step('navigate to the quorums chapter', async () => {
    await Promise.all([
      page.waitForNavigation(),
      page.click('.sidebar a[href="quorums.html"]'),
    ]);
    if (!page.url().endsWith('quorums.html')) throw new Error(`at ${page.url()}`);
    await page.waitForSelector('figure.lab .lab-run');
  });
  await step('search', async () => {
    await page.type('.search input', 'quorum');
    await page.waitForFunction(`document.querySelectorAll('.search-results [role=option]').length > 0`);
    await page.keyboard.press('Escape');
    await page.waitForFunction(`document.querySelector('.search-results').hidden`);
  });
  await step('run a lab (wasm from a script, WebGL2 under Xvfb)', async () => {
    await page.evaluate(`${fig}.scrollIntoView()`);
    await page.click('figure.lab .lab-run');
    await page.waitForFunction(`${fig}.querySelector('[data-metric=writes_ok]').textContent !== '–'`);
    await page.waitForFunction(`${fig}.querySelectorAll('.lab-log li').length >= 2`);
    // The lab frame is paced as the harness asked (see harness.cjs).
    const want = Number(process.env.SCALINGDATA_MAX_FPS) || undefined;
    const frame = page.frames().find((f) => f.url().includes('lab.html'));
    if (!frame) throw new Error('no lab frame among ' + page.frames().map((f) => f.url()).join(', '));
    const got = await frame.evaluate('globalThis.scalingdataMaxFPS');
    if (got !== want) throw new Error(`the lab frame's scalingdataMaxFPS is ${got}, want ${want}`);
  });
  await step('print page', async () => {
    await page.goto(new URL('print.html', index).href);
    await page.waitForSelector('.print-chapter');
    const n = await page.evaluate(`document.querySelectorAll('.print-chapter').length`);
    const posters = await page.evaluate(`document.querySelectorAll('.poster-light').length`);
    if (n < 3 || posters < 1) throw new Error(`${n} chapters, ${posters} posters`);
  });
  for (const lab of labs) {
    await step(`embed/${lab}.html runs from file://`, async () => {
      await page.goto(new URL(`embed/${lab}.html`, index).href);
      await page.click('.lab-run');
      await page.waitForFunction(`(() => {
        const m = Array.from(${fig}.querySelectorAll('[data-metric]'));
        return m.length > 0 && m.every((d) => d.textContent !== '–') &&
          ${fig}.querySelectorAll('.lab-log li').length > 0;
      })()`);
      const stage = await page.$('figure.lab .lab-stage');
      await stage.screenshot({ path: path.join(shots, `${lab}.png`) });
    });
  }
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
});
