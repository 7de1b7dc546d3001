// The lab frame: loads the one WebAssembly binary that holds every lab and
// bridges it to the page that holds the controls. All input reaches the lab
// as messages, so the canvas never traps Tab, scrolling or touch gestures.
//
// Two ways to load the binary, whichever works on this host:
//   - fetch (assets/labs.wasm, precompressed where the server can), compiled
//     while it downloads; used when this frame has an ordinary origin;
//   - scripts (assets/labs-wasm-<i>.js, base64, loaded in parallel and
//     streamed in order into the compiler); used where fetch cannot work:
//     file:// pages, and frames with an opaque origin (sandboxed embeds on a
//     course platform), whose fetch needs CORS headers that plain static
//     hosts do not send. A <script> needs none. Also the fallback when the
//     fetch fails (a proxy that blocks .wasm, say).
// Either way the frame reports progress (bytes of the binary's size) to the
// page, and a failure as a sentence that says what happened and what to do.
(() => {
  'use strict';
  // Ebitengine draws each picture into its own textures and copies it to
  // the canvas as one full-size rectangle, so multisampling the canvas
  // (WebGL's default) smooths no edge and costs a 4× buffer to clear and
  // resolve every frame: a quarter of each frame under software GL. Ask
  // for a canvas without it.
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, attrs) {
    if (type === 'webgl2' || type === 'webgl') attrs = { ...attrs, antialias: false };
    return getContext.call(this, type, attrs);
  };
  // Glyphs for the lab's canvas text (render/ebitencanvas/text.go): the
  // characters of chars in a CSS font, white on transparent, laid out in
  // rows of a block at most 1024 px wide, drawn in one pass on a 2D canvas
  // and read back once. Returns the font's ascent and descent, the block
  // (premultiplied RGBA) and 7 numbers per character (advance, x, y, width,
  // height of its ink box in the block, pen offset left and top; width 0
  // for a blank), or null without a 2D canvas. One call per font size: a
  // call from the lab's Go into JavaScript costs more than the drawing.
  let scratch = null;
  globalThis.scalingdataGlyphs = (font, chars) => {
    if (!scratch) {
      const c = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(64, 64) : document.createElement('canvas');
      scratch = c.getContext('2d', { willReadFrequently: true });
      if (!scratch) return null;
    }
    const ctx = scratch;
    const maxW = 1024;
    ctx.font = font;
    const hg = ctx.measureText('Hg');
    let ascent = hg.fontBoundingBoxAscent, descent = hg.fontBoundingBoxDescent;
    if (!(ascent > 0)) { ascent = hg.actualBoundingBoxAscent; descent = hg.actualBoundingBoxDescent; }
    const list = Array.from(chars);
    const m = new Float64Array(7 * list.length);
    let x = 0, y = 0, rowH = 0, width = 0;
    list.forEach((ch, i) => {
      const t = ctx.measureText(ch);
      // The ink box, padded a pixel for antialiasing.
      const left = Math.ceil(t.actualBoundingBoxLeft) + 1, right = Math.ceil(t.actualBoundingBoxRight) + 1;
      const up = Math.ceil(t.actualBoundingBoxAscent) + 1, down = Math.ceil(t.actualBoundingBoxDescent) + 1;
      const w = left + right, h = up + down;
      m[7 * i] = t.width;
      if (!(w > 2 && h > 2 && w <= maxW && h <= maxW)) return; // a blank
      if (x + w > maxW) { x = 0; y += rowH; rowH = 0; }
      m.set([x, y, w, h, left, up], 7 * i + 1);
      x += w; rowH = Math.max(rowH, h); width = Math.max(width, x);
    });
    const height = y + rowH;
    let pixels = new Uint8Array(0);
    if (width > 0 && height > 0) {
      const cv = ctx.canvas;
      if (cv.width < width || cv.height < height) {
        cv.width = Math.max(cv.width, width);
        cv.height = Math.max(cv.height, height);
      }
      ctx.font = font; // resizing a canvas resets its state
      ctx.clearRect(0, 0, width, height);
      ctx.fillStyle = '#fff';
      ctx.textBaseline = 'alphabetic';
      ctx.textAlign = 'left';
      list.forEach((ch, i) => {
        if (m[7 * i + 3] > 0) ctx.fillText(ch, m[7 * i + 1] + m[7 * i + 5], m[7 * i + 2] + m[7 * i + 6]);
      });
      pixels = new Uint8Array(ctx.getImageData(0, 0, width, height).data.buffer);
      // White with alpha, straight → premultiplied: every channel is alpha.
      for (let i = 0; i < pixels.length; i += 4) pixels[i] = pixels[i + 1] = pixels[i + 2] = pixels[i + 3];
    }
    return { ascent, descent, width, height, pixels, metrics: new Uint8Array(m.buffer) };
  };

  const script = document.currentScript;
  const cfg = script.dataset;
  const wasmURL = cfg.wasm;
  const total = Number(cfg.wasmSize) || 0;
  const parts = Number(cfg.wasmParts) || 0;
  const host = window.parent !== window ? window.parent : null;
  const pending = [];
  let deliver = null;
  let failed = false;

  const send = (msg) => { if (host) host.postMessage(msg, '*'); };
  const $ = (sel) => document.querySelector(sel);
  const status = (text) => {
    const box = $('.frame-status');
    if (!box) { // this script runs in <head>: say it once the body is there
      document.addEventListener('DOMContentLoaded', () => status(text), { once: true });
      return;
    }
    box.hidden = !text;
    $('.frame-text').textContent = text;
  };
  const toLab = (msg) => {
    const json = JSON.stringify(msg);
    if (deliver) deliver(json); else pending.push(json);
  };
  // Where the files come from, for messages: the host name, or this copy.
  const where = () => location.protocol === 'file:' || !location.host ? 'this copy of the book' : location.host;
  const mb = (n) => (n / 1e6).toFixed(1);

  // A failure the reader can act on: shown in the frame and sent to the page.
  const fail = (text) => {
    if (failed) return;
    failed = true;
    const bar = $('.frame-progress');
    if (bar) bar.hidden = true;
    status(text);
    document.documentElement.dataset.failed = '';
    send({ type: 'scalingdata:error', text });
  };
  class LoadError extends Error {}
  const downloadFailed = () => new LoadError(`The lab file could not be downloaded from ${where()}: check your connection and reload the page. If it keeps failing, the copy of the book on ${where()} may be incomplete.`);

  // Progress: bytes of the binary so far, in the frame and to the page (at
  // most every 50 ms, and always the last).
  let lastSent = 0;
  const progress = (loaded, route) => {
    const bar = $('.frame-progress');
    if (bar && total) { bar.hidden = false; bar.max = total; bar.value = Math.min(loaded, total); }
    if (!failed) status(loaded >= total ? 'Starting the lab…' : `Loading the lab: ${mb(loaded)} of ${mb(total)} MB`);
    const now = performance.now();
    if (loaded >= total || now - lastSent > 50) {
      lastSent = now;
      send({ type: 'scalingdata:loading', loaded: Math.min(loaded, total), total, route });
    }
  };

  // Called by the Go side once it listens; flushes what arrived before.
  globalThis.scalingdataListen = (fn) => {
    deliver = fn;
    status('');
    for (const json of pending.splice(0)) fn(json);
  };
  // Called by the Go side with a JSON message for the host page.
  globalThis.scalingdataSend = (json) => {
    const msg = JSON.parse(json);
    if (msg.type === 'scalingdata:error') { fail(String(msg.text)); return; }
    send(msg);
  };

  window.addEventListener('message', (e) => {
    if (!host || e.source !== host) return;
    const d = e.data;
    if (!d || typeof d !== 'object' || typeof d.type !== 'string' || !d.type.startsWith('scalingdata:')) return;
    let json;
    try { json = JSON.stringify(d); } catch { return; }
    if (json.length > 8192) return;
    if (deliver) deliver(json); else pending.push(json);
  });

  // Keep Ebiten from seeing raw input: it would trap Tab and stop page
  // scrolling. Clicks become messages in logical coordinates.
  const swallow = (e) => e.stopImmediatePropagation();
  for (const t of ['mousedown', 'mouseup', 'mousemove', 'pointerdown', 'pointerup', 'pointermove',
    'touchstart', 'touchmove', 'touchend', 'wheel', 'contextmenu', 'keyup']) {
    window.addEventListener(t, swallow, { capture: true, passive: true });
  }
  window.addEventListener('click', (e) => {
    e.stopImmediatePropagation();
    toLab({ type: 'scalingdata:click', x: e.clientX / window.innerWidth, y: e.clientY / window.innerHeight });
  }, true);
  window.addEventListener('keydown', (e) => {
    e.stopImmediatePropagation();
    if (e.key === 'Escape' || e.key === ' ' || e.key === 'ArrowRight') {
      if (e.key !== 'Escape') e.preventDefault();
      send({ type: 'scalingdata:key', key: e.key });
    }
  }, true);

  // Before downloading anything: can this browser run a lab at all, and
  // is there such a lab?
  const lab = new URLSearchParams(location.search).get('lab') || '';
  const known = (cfg.labs || '').split(' ').filter(Boolean);
  if (typeof WebAssembly !== 'object' || typeof Go !== 'function') {
    fail('This lab needs JavaScript and WebAssembly, which this browser does not offer or has switched off. Try a current Firefox, Chrome, Edge or Safari.');
    return;
  }
  if (!known.includes(lab)) {
    fail(lab ? `There is no lab called “${lab}” in this book. Its labs are: ${known.join(', ')}.` : `No lab was named in the address (lab=…). This book's labs are: ${known.join(', ')}.`);
    return;
  }
  if (!total || !parts) {
    fail('This copy of the book was built without its lab binary, so its labs cannot run. Whoever built it should build it with the labs (make build).');
    return;
  }

  const go = new Go();
  // The Go program exits only when something went wrong (a panic): say so.
  const exit = go.exit.bind(go);
  go.exit = (code) => {
    exit(code);
    if (code === 0) return;
    let gl = false;
    try { gl = !!document.createElement('canvas').getContext('webgl2'); } catch { /* no WebGL */ }
    fail(gl ? `The lab stopped with an error (exit code ${code}). Reload the page to start it again.`
      : 'This lab needs WebGL 2, which this browser or its graphics driver does not offer. Turn on hardware acceleration, or try another browser.');
  };

  const decode = (b64) => {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64);
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  };

  // The binary as parts in scripts, fetched in parallel and fed in order to
  // the streaming compiler as they arrive.
  const fromScripts = () => new Promise((resolve, reject) => {
    const got = new Array(parts);
    let next = 0;
    let loaded = 0;
    let ctl;
    const stream = new ReadableStream({ start(c) { ctl = c; } });
    const stop = (err) => { try { ctl.error(err); } catch { /* closed */ } reject(err); };
    globalThis.scalingdataWasmPart = (i, b64) => {
      if (!Number.isInteger(i) || i < 0 || i >= parts || got[i] || typeof b64 !== 'string') return;
      let bytes;
      try { bytes = decode(b64); } catch { stop(new LoadError(`The lab file from ${where()} is damaged (part ${i} is not base64). Reload the page; if that does not help, the copy on ${where()} is broken.`)); return; }
      got[i] = bytes;
      loaded += bytes.length;
      progress(loaded, 'script');
      while (next < parts && got[next] && got[next] !== true) {
        ctl.enqueue(got[next]);
        got[next] = true; // fed to the compiler: let the bytes go
        next++;
      }
      if (next === parts) ctl.close();
    };
    for (let i = 0; i < parts; i++) {
      const s = document.createElement('script');
      s.src = cfg.wasmPart.replace('{i}', String(i));
      s.onload = () => { s.remove(); if (!got[i]) stop(new LoadError(`The lab file from ${where()} is damaged (part ${i} is empty). Reload the page; if that does not help, the copy on ${where()} is broken.`)); };
      s.onerror = () => { s.remove(); stop(downloadFailed()); };
      document.head.appendChild(s);
    }
    WebAssembly.instantiateStreaming(new Response(stream, { headers: { 'Content-Type': 'application/wasm' } }), go.importObject)
      .then(resolve, reject);
  });

  // The binary by fetch, compiled while it downloads; a copy of the stream
  // counts the bytes for the progress bar.
  const fromFetch = async () => {
    let resp;
    try { resp = await fetch(wasmURL); } catch { throw downloadFailed(); }
    if (!resp.ok) {
      const name = new URL(wasmURL, location.href).pathname;
      throw new LoadError(`The lab file is missing from ${where()} (${name}: ${resp.status} ${resp.statusText || 'error'}). Whoever hosts this book should upload every file of its public/ folder.`);
    }
    const count = resp.clone().body.getReader();
    (async () => {
      let loaded = 0;
      for (;;) {
        const { done, value } = await count.read();
        if (done) break;
        loaded += value.byteLength;
        progress(loaded, 'fetch');
      }
    })().catch(() => {});
    try {
      return await WebAssembly.instantiateStreaming(resp, go.importObject);
    } catch (err) {
      if (err instanceof WebAssembly.CompileError || err instanceof WebAssembly.LinkError) throw err;
      // A server that sends the wrong type for .wasm: compile the bytes.
      const again = await fetch(wasmURL);
      return WebAssembly.instantiate(await again.arrayBuffer(), go.importObject);
    }
  };

  // An opaque origin ("null": file://, or sandboxed without
  // allow-same-origin) cannot read the binary by fetch from a host that
  // sends no CORS header: use the scripts at once rather than fail first.
  const opaque = location.protocol === 'file:' || self.origin === 'null';
  const started = performance.now();
  let route = opaque ? 'script' : 'fetch';
  const load = async () => {
    if (opaque) return fromScripts();
    try {
      return await fromFetch();
    } catch (err) {
      route = 'script';
      try { return await fromScripts(); } catch { throw err; }
    }
  };
  progress(0, opaque ? 'script' : 'fetch');
  load().then((r) => {
    // For measurements: how the binary came, how long it took, and the
    // lab's memory (the WebAssembly heap) in bytes.
    globalThis.scalingdataLoaded = { route, ms: performance.now() - started };
    globalThis.scalingdataMemory = () => r.instance.exports.mem.buffer.byteLength;
    status('Starting the lab…');
    return go.run(r.instance);
  }).catch((err) => {
    if (err instanceof LoadError) fail(err.message);
    else if (err instanceof WebAssembly.CompileError) fail(`The lab file from ${where()} is damaged (it is not valid WebAssembly). Reload the page; if that does not help, the copy on ${where()} is broken.`);
    else fail(`The lab could not start (${err && err.message ? err.message : err}). Reload the page to try again.`);
  });
})();
