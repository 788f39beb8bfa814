// "Copy link" buttons: <button data-copy-target="ID"> copies the value of the input with that id.
// Without the Clipboard API (plain http on another host) the input is selected for Ctrl+C instead.

export function enableCopyButtons(root) {
  for (const button of root.querySelectorAll("button[data-copy-target]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const input = root.getElementById(button.dataset.copyTarget);
      if (!input) return;
      const status = button.parentElement?.querySelector("[data-copy-status]");
      try {
        await navigator.clipboard.writeText(input.value);
        if (status) status.textContent = "Copied.";
      } catch {
        input.focus();
        input.select();
        if (status) status.textContent = "Press Ctrl+C to copy.";
      }
    });
  }
}
