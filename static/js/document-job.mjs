// A document being prepared in the background (templates/documents/document_job.html): ask
// the server every few seconds and show the page again when it has changed. Without
// JavaScript the page offers a "Check again" link instead.
const INTERVAL_MS = 3000;

export function initDocumentJob(root = document) {
  const status = root.querySelector("[data-document-job-status]");
  if (!status) return;
  const url = status.dataset.documentJobStatus;
  const waitingFor = status.dataset.state;
  const timer = window.setInterval(async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const { state } = await response.json();
      if (state !== waitingFor) {
        window.clearInterval(timer);
        window.location.reload();
      }
    } catch {
      // Offline for a moment: the next tick tries again.
    }
  }, INTERVAL_MS);
}
