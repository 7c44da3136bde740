// Until the page is hydrated, Enter in the message box sends the message
// the way the page does without JavaScript (the composer is a form that
// posts to /api/messages/send), instead of adding a line: someone who
// types and presses Enter as soon as a page appears loses nothing while
// the WebAssembly loads. Shift+Enter still makes a new line. The hydrated
// page takes Enter itself and marks the body `data-hydrated`.
document.addEventListener(
  "keydown",
  (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (document.body.hasAttribute("data-hydrated")) return;
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || box.id !== "composer-text" || !box.form) return;
    event.preventDefault();
    if (box.value.trim() !== "") box.form.requestSubmit();
  },
  true,
);
