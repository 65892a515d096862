// A table too wide for a narrow screen scrolls in its own box (application.scss): such a box
// is given a tab stop, so that it can be scrolled from the keyboard, only while it scrolls.
export function initTableScroll() {
  const tables = document.querySelectorAll(".govuk-table");
  if (!tables.length || !("ResizeObserver" in window)) return;
  const update = (table) => {
    if (table.scrollWidth > table.clientWidth) {
      table.setAttribute("tabindex", "0");
    } else if (table.getAttribute("tabindex") === "0") {
      table.removeAttribute("tabindex");
    }
  };
  const observer = new ResizeObserver((entries) => entries.forEach((e) => update(e.target)));
  tables.forEach((table) => {
    update(table);
    observer.observe(table);
  });
}
