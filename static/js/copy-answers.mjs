// "Answers to copy" (templates/referrals/answers_to_copy.html): a copy button beside each
// section's answers. Without JavaScript, or without the clipboard, there is no button and the
// text stays selectable in its box.
export function initCopyAnswers(root = document) {
  if (!navigator.clipboard) return;
  const status = root.querySelector("[data-copy-answers-status]");
  for (const group of root.querySelectorAll("[data-copy-answers]")) {
    const box = group.querySelector("textarea");
    const label = group.querySelector("label");
    if (!box || !label) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary govuk-!-margin-top-2";
    button.textContent = "Copy";
    const hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = ` ${label.textContent.trim()}`;
    button.append(hidden);
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(box.value);
        if (status) status.textContent = `Copied: ${label.textContent.trim()}`;
      } catch {
        box.select();
        if (status) status.textContent = "Could not copy: the text is selected, copy it yourself";
      }
    });
    box.after(button);
  }
}
