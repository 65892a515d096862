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
        redirect: "manual",
      }).catch(() => {}); // offline: the next change tries again
    };
    form.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY_MS);
    });
  }
}
