// Wide tables and charts scroll in a region of their own, never the page (WCAG 1.4.10
// Reflow: at 320 px only the table or chart may scroll sideways). A template can wrap a
// table itself in <div class="lotsen-table-scroll">; this wraps every other GOV.UK table
// and every full-width chart (an <svg role="img" width="100%">), so that one added
// tomorrow fits a phone too. A chart keeps its drawn size on a narrow screen (its text
// stays readable; lotsen.scss) and scrolls; the same numbers are in the table beside it.
// A wrapper that really scrolls becomes a named region in the tab order, so that it can
// be scrolled with the keyboard; one that fits does not, so that it adds no empty tab stop.
const REGION_NAME = { sv: "Tabell", en: "Table" };
const lang = document.documentElement.lang.startsWith("en") ? "en" : "sv";
let nextId = 0;

function wrap(element, className) {
  // Moving a node takes the focus from anything inside it. A table that htmx swapped in
  // is wrapped only once htmx has settled, and a keyboard user may already have tabbed to
  // a link in it: they keep their place instead of landing on the page's body.
  const focused = element.contains(document.activeElement) ? document.activeElement : null;
  const wrapper = document.createElement("div");
  wrapper.className = className;
  wrapper.dataset.lotsenScroll = "";
  element.before(wrapper);
  wrapper.append(element);
  focused?.focus({ preventScroll: true });
  return wrapper;
}

function label(wrapper) {
  // A table is named by its caption, a chart by its title.
  const name = wrapper.querySelector("caption, svg > title");
  if (name) {
    name.id ||= `lotsen-scroll-name-${++nextId}`;
    wrapper.setAttribute("aria-labelledby", name.id);
  } else {
    wrapper.setAttribute("aria-label", REGION_NAME[lang]);
  }
}

function update(wrapper) {
  if (wrapper.scrollWidth > wrapper.clientWidth) {
    wrapper.tabIndex = 0;
    wrapper.setAttribute("role", "region");
    label(wrapper);
  } else {
    wrapper.removeAttribute("tabindex");
    wrapper.removeAttribute("role");
    wrapper.removeAttribute("aria-labelledby");
    wrapper.removeAttribute("aria-label");
  }
}

function enhance(root) {
  for (const table of root.querySelectorAll("table.govuk-table")) {
    if (!table.closest(".lotsen-table-scroll")) update(wrap(table, "lotsen-table-scroll"));
  }
  for (const chart of root.querySelectorAll('svg[role="img"][width="100%"]')) {
    if (!chart.closest(".lotsen-chart-scroll")) update(wrap(chart, "lotsen-chart-scroll"));
  }
}

enhance(document);
// Wrappers the templates wrote keep their own attributes; these follow the window's width.
window.addEventListener("resize", () => {
  for (const wrapper of document.querySelectorAll("[data-lotsen-scroll]")) update(wrapper);
});
// Tables and charts that htmx swaps in later.
document.addEventListener("htmx:afterSettle", (event) => enhance(event.target));
