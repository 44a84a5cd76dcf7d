// A hardware scanner in keyboard mode ("keyboard wedge") types a code's characters, then Enter.
// Those keys are caught anywhere on the page, without the worker focusing a field; a field
// that has the focus keeps its own typing.

const MIN_LENGTH = 8;        // shorter bursts are stray keys, not a code
const IDLE_RESET_MS = 1500;  // a scanner types a whole code in well under this

function isEditable(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable='true']"));
}

/** Call `onCode(text)` for each code typed by a scanner while `enabled()` says so. */
export function listenForWedge(onCode, enabled = () => true) {
  let buffer = "";
  let last = 0;

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (isEditable(event.target) || !enabled()) {
      buffer = "";
      return;
    }
    const now = performance.now();
    if (now - last > IDLE_RESET_MS) buffer = "";
    last = now;
    if (event.key === "Enter") {
      if (!buffer) return;  // a plain Enter still presses the focused button
      event.preventDefault();
      const text = buffer.trim();
      buffer = "";
      if (text.length >= MIN_LENGTH) onCode(text);
      return;
    }
    if (event.key.length !== 1) return;  // Shift, arrows, function keys
    if (event.key === " " && !buffer) return;  // a code never starts with a space
    // Keep the characters from pressing the focused button or scrolling the page.
    event.preventDefault();
    buffer += event.key;
  }, true);

  // A space inside a code must not click a focused button on its key-up either.
  document.addEventListener("keyup", (event) => {
    if (event.key === " " && buffer && !isEditable(event.target)) event.preventDefault();
  }, true);
}
