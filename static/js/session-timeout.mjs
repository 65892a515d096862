// Warns before an idle session is signed out, and keeps the session alive while someone is
// typing or clicking, so that a long piece of writing is not lost to the idle timeout.
// Without JavaScript the server-side timeout still applies; this only adds the warning.

const KEEP_ALIVE_AFTER_MS = 5 * 60 * 1000; // ping at most every five minutes of activity
const CHECK_EVERY_MS = 5 * 1000;

export function initSessionTimeout(body = document.body) {
  const timeoutMs = Number(body.dataset.sessionTimeout) * 1000;
  const warningMs = Number(body.dataset.sessionWarning) * 1000;
  const keepAliveUrl = body.dataset.keepAliveUrl;
  const token = document.querySelector('meta[name="csrf-token"]')?.content;
  if (!timeoutMs || !warningMs || !keepAliveUrl || !token) return;

  let lastServerContact = Date.now();
  let lastActivity = Date.now();
  const dialog = buildDialog();
  const remaining = dialog.querySelector("[data-remaining]");

  function keepAlive() {
    lastServerContact = Date.now();
    fetch(keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token },
      redirect: "manual",
    }).then((response) => {
      if (response.status !== 204) window.location.reload();
    });
  }

  function noteActivity() {
    lastActivity = Date.now();
    if (!dialog.open && lastActivity - lastServerContact > KEEP_ALIVE_AFTER_MS) keepAlive();
  }

  function check() {
    const idle = Date.now() - lastServerContact;
    if (idle >= timeoutMs) {
      // The server has ended the session: reloading shows the sign-in page and why.
      window.location.reload();
    } else if (idle >= timeoutMs - warningMs) {
      const minutes = Math.max(1, Math.ceil((timeoutMs - idle) / 60000));
      remaining.textContent = minutes === 1 ? "1 minute" : `${minutes} minutes`;
      if (!dialog.open) dialog.showModal();
    }
  }

  dialog.querySelector("button").addEventListener("click", () => {
    dialog.close();
    keepAlive();
  });
  for (const event of ["keydown", "input", "pointerdown"]) {
    document.addEventListener(event, noteActivity, { passive: true });
  }
  window.setInterval(check, CHECK_EVERY_MS);
}

function buildDialog() {
  const dialog = document.createElement("dialog");
  dialog.className = "app-timeout-dialog";
  dialog.setAttribute("aria-labelledby", "app-timeout-heading");
  dialog.setAttribute("aria-describedby", "app-timeout-body");

  const heading = document.createElement("h2");
  heading.className = "govuk-heading-m";
  heading.id = "app-timeout-heading";
  heading.textContent = "You are about to be signed out";

  const text = document.createElement("p");
  text.className = "govuk-body";
  text.id = "app-timeout-body";
  text.append("To protect the people in these records, you will be signed out in ");
  const remaining = document.createElement("strong");
  remaining.dataset.remaining = "";
  text.append(remaining, " unless you carry on.");

  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button";
  button.textContent = "Stay signed in";

  dialog.append(heading, text, button);
  document.body.append(dialog);
  return dialog;
}
