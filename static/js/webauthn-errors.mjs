// Shows a message when a security key cannot be used. allauth's WebAuthn script only logs the
// failure to the console, so someone who cancels or whose key is refused would see nothing.
// Loaded by templates/mfa/webauthn/snippets/scripts.html, next to the hidden message.

const message = document.getElementById("webauthn-error");

if (message) {
  document.addEventListener("allauth.error", (event) => {
    if (!event.detail?.tags?.includes("webauthn")) return;
    event.preventDefault();
    message.hidden = false;
    message.focus();
  });
}
