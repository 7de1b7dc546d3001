// What the Firefox scripts share: launching Firefox ESR through
// puppeteer-core over WebDriver BiDi (under Xvfb: headless Firefox has no
// WebGL2 for Ebiten), named steps that say which one failed, and the exit
// code the Go tests read.
'use strict';
const puppeteer = require(process.env.PUPPETEER_CORE || 'puppeteer-core');

// step runs fn, prints "ok   name (ms)", and names the step in any error.
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
  } catch (err) {
    throw new Error(`${name}: ${err.message}`);
  }
  console.log(`ok   ${name} (${Date.now() - t0} ms)`);
}

// run launches Firefox, hands fn a 1280×900 page whose waits time out
// after timeout ms, closes Firefox, and exits non-zero with "FAIL …" when
// fn throws.
function run(timeout, fn) {
  (async () => {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
      headless: false, // under Xvfb: headless Firefox has no WebGL2
      protocolTimeout: timeout + 30000,
      // WebAssembly from Firefox's baseline compiler only, never its
      // optimizing one (Ion), as the Chromium tests use V8's baseline
      // compiler only (browsertest.QuickCompiler): what a lab computes does
      // not depend on the tier, and optimizing a 13 MB binary in the
      // background for a few seconds of use is what a test pays most for.
      extraPrefsFirefox: { 'javascript.options.wasm_optimizingjit': false },
    });
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(timeout);
      await page.setViewport({ width: 1280, height: 900 });
      // Labs paint at most this many pictures a second, as in the Chromium
      // tests (browsertest.TestFPS; under software GL painting is what
      // costs): in every document of the page, lab frames included.
      const fps = Number(process.env.SCALINGDATA_MAX_FPS);
      if (fps > 0) await page.evaluateOnNewDocument(`globalThis.scalingdataMaxFPS = ${fps};`);
      await fn(page);
    } finally {
      await browser.close();
    }
  })().catch((err) => {
    console.error(`FAIL ${err.message}`);
    process.exit(1);
  });
}

module.exports = { step, run, fig: `document.querySelector('figure.lab')` };
