// Streamlit's file uploader marks its drop zone role="presentation" and also names it (aria-label,
// the widget's label): a role that says "nothing here" on an element with a name is a conflict
// (axe: presentation-role-conflict), and browsers then expose the zone anyway. Without the role
// the zone is what it is, a section named by the widget's label, around the Browse files button.
// Drop zones appear whenever a page or an expander draws one, so every redraw is looked at.
(() => {
  if (window.__partnershipAriaFixes) return; // every page run renders this script again
  window.__partnershipAriaFixes = true;
  const ZONES = '[data-testid="stFileUploaderDropzone"][role="presentation"][aria-label]';
  const fix = () => document.querySelectorAll(ZONES).forEach((zone) => zone.removeAttribute("role"));
  fix();
  new MutationObserver(fix).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["role"] });
})();
