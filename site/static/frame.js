// The lab frame: loads the one WebAssembly binary that holds every lab and
// bridges it to the page that holds the controls. All input reaches the lab
// as messages, so the canvas never traps Tab, scrolling or touch gestures.
(() => {
  'use strict';
  const script = document.currentScript;
  const wasmURL = script.dataset.wasm;
  const host = window.parent !== window ? window.parent : null;
  const pending = [];
  let deliver = null;

  const send = (msg) => { if (host) host.postMessage(msg, '*'); };
  const status = (text) => {
    const el = document.querySelector('.frame-status');
    if (el) { el.textContent = text; el.hidden = !text; }
  };
  const toLab = (msg) => {
    const json = JSON.stringify(msg);
    if (deliver) deliver(json); else pending.push(json);
  };

  // Called by the Go side once it listens; flushes what arrived before.
  globalThis.scalingdataListen = (fn) => {
    deliver = fn;
    status('');
    for (const json of pending.splice(0)) fn(json);
  };
  // Called by the Go side with a JSON message for the host page.
  globalThis.scalingdataSend = (json) => send(JSON.parse(json));

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

  const go = new Go();
  // file:// pages cannot fetch: the offline bundle carries the binary as a
  // base64 script instead.
  const fromScript = () => new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = script.dataset.wasmScript;
    s.onload = () => {
      const b64 = window.SCALINGDATA_WASM;
      delete window.SCALINGDATA_WASM;
      if (typeof b64 !== 'string') { reject(new Error('the lab binary script is empty')); return; }
      let bytes;
      if (Uint8Array.fromBase64) {
        bytes = Uint8Array.fromBase64(b64);
      } else {
        const bin = atob(b64);
        bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      }
      resolve(WebAssembly.instantiate(bytes, go.importObject));
    };
    s.onerror = () => reject(new Error('the lab binary is missing from this copy of the book'));
    document.head.appendChild(s);
  });
  const load = async () => {
    if (location.protocol === 'file:') return fromScript();
    const resp = fetch(wasmURL);
    try {
      return await WebAssembly.instantiateStreaming(resp, go.importObject);
    } catch (err) {
      // A server without the application/wasm type: fall back to bytes.
      const bytes = await (await fetch(wasmURL)).arrayBuffer();
      return WebAssembly.instantiate(bytes, go.importObject);
    }
  };
  load().then((r) => {
    // For measurements: the lab's memory (the WebAssembly heap) in bytes.
    globalThis.scalingdataMemory = () => r.instance.exports.mem.buffer.byteLength;
    return go.run(r.instance);
  }).catch((err) => {
    status('The lab could not start: ' + err.message);
    send({ type: 'scalingdata:error', text: String(err.message || err) });
  });
})();
