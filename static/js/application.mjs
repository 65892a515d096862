// Progressive enhancement only: every page works without this file.
import { initAll as initGovuk } from "../govuk/govuk-frontend.min.js";
import { initAll as initMoj } from "../moj/moj-frontend.min.js";
import { initCopyAnswers } from "./copy-answers.mjs";
import { initDocumentJob } from "./document-job.mjs";
import { initDraftAutosave } from "./draft-autosave.mjs";
import { initSessionTimeout } from "./session-timeout.mjs";
import { initTableScroll } from "./table-scroll.mjs";

initGovuk();
initMoj();
initSessionTimeout();
initDraftAutosave();
initDocumentJob();
initCopyAnswers();
initTableScroll();
