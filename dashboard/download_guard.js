// A download is always for the settings on screen, and a click on a download button always gives
// a file. Streamlit redraws the page after a setting changes; until the redraw ends, the buttons
// on screen still belong to the previous settings (their label names the previous pot). A click
// on one of them in that window is held, shown as waiting, and carried out on the redrawn button
// in the same place (the one for the settings on screen) as soon as the redraw ends.
(() => {
  if (window.__partnershipDownloadGuard) return; // every page run renders this script again
  window.__partnershipDownloadGuard = true;

  // A rerun request is a BackMsg whose first field is rerun_script (field 11, length-delimited):
  // its first byte is (11 << 3) | 2. Seen as it is sent, before the server has said a word.
  const RERUN_TAG = 0x5a;
  const GIVE_UP_MS = 120000; // a redraw that never ends: stop holding, say so
  let asked = false; // a rerun was sent and its run has not finished yet
  let sawRun = false;
  let askedAt = 0;
  let replaying = false;
  const held = new Set(); // keys (st-key-…) of the button containers clicked while redrawing

  const app = () => document.querySelector('[data-testid="stApp"]');
  const runState = () => app()?.getAttribute("data-test-script-state");
  const settled = () => !asked && runState() === "notRunning";

  const show = () => {
    const root = document.documentElement;
    if (settled() && held.size === 0) {
      delete root.dataset.downloadsWaiting;
    } else {
      root.dataset.downloadsWaiting = "1";
    }
    if (held.size) {
      root.dataset.downloadsHeld = [...held].join(" ");
    } else {
      delete root.dataset.downloadsHeld;
    }
  };

  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data, ...rest) {
    try {
      const bytes =
        data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : ArrayBuffer.isView(data)
            ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
            : null;
      if (bytes && bytes.length && bytes[0] === RERUN_TAG) {
        asked = true;
        askedAt = Date.now();
        // Asked while a run is going: the server stops it and starts again, never idle between.
        sawRun = runState() !== "notRunning";
        show();
      }
    } catch (_) {
      // never stand between the page and its server
    }
    return send.call(this, data, ...rest);
  };

  const keyOf = (element) => {
    const box = element.closest('[class*="st-key-"]');
    return box ? [...box.classList].find((name) => name.startsWith("st-key-")) : undefined;
  };

  const release = () => {
    if (!settled() || held.size === 0) return;
    // Two frames: the redrawn buttons are in the page before the run is reported finished,
    // this only lets the browser lay them out before they are clicked.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (!settled()) return;
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

  const watch = () => {
    const target = app();
    if (!target) {
      setTimeout(watch, 50);
      return;
    }
    new MutationObserver(() => {
      const state = runState();
      if (state !== "notRunning") {
        sawRun = true;
      } else if (asked && sawRun) {
        asked = false;
      }
      show();
      release();
    }).observe(target, { attributes: true, attributeFilter: ["data-test-script-state"] });
  };
  watch();

  setInterval(() => {
    if (asked && Date.now() - askedAt > GIVE_UP_MS) {
      asked = false; // the page never redrew: let the buttons work as they are
      show();
      release();
    }
  }, 1000);

  document.addEventListener(
    "click",
    (event) => {
      if (replaying || !(event.target instanceof Element)) return;
      const button = event.target.closest('[data-testid="stDownloadButton"] button');
      if (!button || settled()) return;
      const key = keyOf(button);
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
