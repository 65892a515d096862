// Saves a concern draft on the server while it is typed, so that a timeout or a lost
// connection loses nothing. Without JavaScript, "Save and come back later" does the same.

const DELAY_MS = 3000;

export function initDraftAutosave(root = document) {
  for (const form of root.querySelectorAll("form[data-autosave-url]")) {
    let timer;
    const save = () => {
      const data = new FormData(form);
      for (const [key, value] of [...data.entries()]) {
        if (value instanceof File) data.delete(key); // photos go only with the final submit
      }
      data.delete("action");
      fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        redirect: "manual",
      })
        .then(async (response) => {
          if (response.status === 401) {
            // The session ran out: the server kept what was sent and hands it back to this
            // page after signing in, so go there now, before more is typed into a dead page.
            const { sign_in: signIn } = await response.json();
            const back = window.location.pathname + window.location.search;
            window.location.assign(`${signIn}?next=${encodeURIComponent(back)}`);
          } else if (response.type === "opaqueredirect") {
            window.location.reload(); // signed out elsewhere: the page says why
          }
        })
        .catch(() => {}); // offline: the next change tries again
    };
    form.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY_MS);
    });
  }
}
