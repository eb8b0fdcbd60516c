// A download is always for the settings on screen, and a click on a download button always gives
// a file. Streamlit redraws the page after a setting changes; until the redraw ends, the buttons
// on screen still belong to the previous settings (their label names the previous pot). A click
// on one of them in that window is held, shown as waiting, and carried out on the redrawn button
// in the same place (the one for the settings on screen) as soon as the redraw ends.
//
// "The redraw ends" is read from the page's own messages, not guessed from time: the request for
// a new run is seen as the browser sends it, the run's start and its finish as the server's
// messages arrive (the first fields of Streamlit's BackMsg and ForwardMsg protobufs).
(() => {
  if (window.__partnershipDownloadGuard) return; // every page run renders this script again
  window.__partnershipDownloadGuard = true;

  const RERUN_SCRIPT = 11; // BackMsg.rerun_script
  const NEW_SESSION = 4; // ForwardMsg.new_session: a run has started
  const SCRIPT_FINISHED = 6; // ForwardMsg.script_finished: 0 done, 1 compile error, 2 stopped for a rerun
  const SETTLE_AFTER_INPUT_MS = 400; // a key or pointer action is sent as a rerun within this
  const GIVE_UP_MS = 60000; // a redraw that never ends: stop holding the click
  let asked = false; // a rerun was sent and the run answering it has not finished
  let started = false; // the run answering it has started
  let askedAt = 0;
  let touchedAt = 0; // last key or pointer action outside the download buttons
  let replaying = false;
  const held = new Set(); // keys (st-key-…) of the button containers clicked while redrawing
  const heard = new WeakSet();

  // The top-level fields of a protobuf message: [field number, varint value or null].
  const fields = (bytes) => {
    const found = [];
    let at = 0;
    const varint = () => {
      let value = 0;
      let scale = 1;
      let byte;
      do {
        byte = bytes[at++];
        value += (byte & 0x7f) * scale;
        scale *= 128;
      } while (byte & 0x80 && at < bytes.length);
      return value;
    };
    while (at < bytes.length) {
      const tag = varint();
      const wire = tag & 7;
      const field = Math.floor(tag / 8);
      if (wire === 0) found.push([field, varint()]);
      else if (wire === 2) {
        const length = varint();
        found.push([field, null]);
        at += length;
      } else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else break;
    }
    return found;
  };
  const asBytes = (data) =>
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : null;

  const app = () => document.querySelector('[data-testid="stApp"]');
  const recentlyTouched = () => Date.now() - touchedAt < SETTLE_AFTER_INPUT_MS;
  const settled = () => !asked && !recentlyTouched() && app()?.getAttribute("data-test-script-state") === "notRunning";

  const show = () => {
    const root = document.documentElement;
    if (asked || held.size) root.dataset.downloadsWaiting = "1";
    else delete root.dataset.downloadsWaiting;
    if (held.size) root.dataset.downloadsHeld = [...held].join(" ");
    else delete root.dataset.downloadsHeld;
  };

  const release = () => {
    if (held.size === 0) return;
    if (!settled()) {
      setTimeout(release, 50);
      return;
    }
    // Two frames: the redrawn buttons are in the page before the run is reported finished; this
    // only lets the browser lay them out before they are clicked.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (!settled()) {
          release();
          return;
        }
        const keys = [...held];
        held.clear();
        for (const key of keys) {
          const button = document.querySelector(`.${CSS.escape(key)} [data-testid="stDownloadButton"] button`);
          if (button && !button.disabled) {
            replaying = true;
            try {
              button.click();
            } finally {
              replaying = false;
            }
          }
        }
        show();
      }),
    );
  };

  const hear = (event) => {
    const bytes = asBytes(event.data);
    if (!bytes || !asked) return;
    for (const [field, value] of fields(bytes)) {
      if (field === NEW_SESSION) started = true;
      else if (field === SCRIPT_FINISHED && started && value !== 2) {
        asked = false;
        started = false;
        show();
        release();
      }
    }
  };

  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data, ...rest) {
    try {
      if (!heard.has(this)) {
        heard.add(this);
        this.addEventListener("message", hear);
      }
      const bytes = asBytes(data);
      if (bytes && fields(bytes).some(([field]) => field === RERUN_SCRIPT)) {
        asked = true;
        started = false;
        askedAt = Date.now();
        show();
      }
    } catch (_) {
      // never stand between the page and its server
    }
    return send.call(this, data, ...rest);
  };

  setInterval(() => {
    if (asked && Date.now() - askedAt > GIVE_UP_MS) {
      asked = false; // the page never redrew: let the buttons work as they are
      show();
      release();
    }
  }, 1000);

  const onDownloadButton = (event) =>
    event.target instanceof Element && event.target.closest('[data-testid="stDownloadButton"]') !== null;
  for (const type of ["keydown", "pointerup", "change"]) {
    document.addEventListener(
      type,
      (event) => {
        if (!onDownloadButton(event)) touchedAt = Date.now();
      },
      true,
    );
  }

  document.addEventListener(
    "click",
    (event) => {
      if (replaying || !(event.target instanceof Element)) return;
      const button = event.target.closest('[data-testid="stDownloadButton"] button');
      if (!button || settled()) return;
      const box = button.closest('[class*="st-key-"]');
      const key = box && [...box.classList].find((name) => name.startsWith("st-key-"));
      if (!key) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      held.add(key);
      show();
      release();
    },
    true,
  );
})();
