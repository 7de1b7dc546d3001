// SCORM 1.2 launch page: shows a lab or a chapter in a frame and tells the
// learning platform (through its SCORM API, found in a parent window) when
// the learner has done it: a lab once it has run, a chapter once each of
// its labs has run or each worked answer has been opened.
(() => {
  'use strict';
  const frame = document.getElementById('activity');
  const kind = frame.dataset.kind;
  const findAPI = (win) => {
    for (let i = 0; win && i < 12; i++) {
      try { if (win.API) return win.API; } catch { return null; } // another origin
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  };
  const found = findAPI(window.parent !== window ? window.parent : null) || (window.opener ? findAPI(window.opener) : null);
  // Tell the learner, on the page, when the platform is not recording.
  const warn = (text) => {
    const p = document.createElement('p');
    p.className = 'scorm-warning';
    p.setAttribute('role', 'alert');
    p.textContent = text;
    document.body.prepend(p);
    document.body.dataset.scorm = 'not-tracking';
  };
  // LMSInitialize must succeed ("true") before any other call; after a
  // failure the session does not exist, so nothing else is called.
  const start = (a) => {
    let ok = false;
    let why = '';
    try {
      ok = String(a.LMSInitialize('')) === 'true';
      if (!ok) {
        const code = String(a.LMSGetLastError());
        why = ` (error ${code}: ${String(a.LMSGetErrorString(code) || 'unknown')})`;
      }
    } catch (err) {
      why = ` (${err && err.message ? err.message : err})`;
    }
    if (!ok) warn(`Your learning platform did not start recording this activity${why}: you can use it, but your progress will not be saved. Reload the page to try again.`);
    return ok ? a : null;
  };
  const api = found ? start(found) : null;
  if (found) document.body.dataset.scorm = api ? 'tracking' : 'not-tracking';
  let done = false;
  if (api) {
    const status = api.LMSGetValue('cmi.core.lesson_status');
    if (status === 'completed' || status === 'passed') done = true;
    else if (!status || status === 'not attempted') { api.LMSSetValue('cmi.core.lesson_status', 'incomplete'); api.LMSCommit(''); }
  }
  const complete = () => {
    if (done) return;
    done = true;
    document.body.dataset.completed = 'true';
    if (api) { api.LMSSetValue('cmi.core.lesson_status', 'completed'); api.LMSCommit(''); }
  };
  addEventListener('message', (e) => {
    const d = e.data;
    if (e.source !== frame.contentWindow || !d || typeof d !== 'object') return;
    if (kind === 'lab' && d.type === 'scalingdata:metrics' && typeof d.t === 'number' && d.t >= 1000) complete();
    if (kind === 'chapter' && d.type === 'scalingdata:progress') {
      const all = (n, of) => typeof n === 'number' && typeof of === 'number' && of > 0 && n >= of;
      if (all(d.labsRun, d.labs) || all(d.answersOpened, d.answers) || (d.labs === 0 && d.answers === 0)) complete();
    }
  });
  addEventListener('pagehide', () => { if (api) api.LMSFinish(''); });
})();
