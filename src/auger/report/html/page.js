"use strict";
(function () {
  document.documentElement.classList.add("js");

  // The size map: one view shown at a time; a directory or a breadcrumb step opens its view.
  const views = Array.from(document.querySelectorAll(".tm-view"));
  function show(id) {
    const target = views.find((view) => view.id === id) || views[0];
    if (!target) return;
    for (const view of views) view.classList.toggle("on", view === target);
  }
  function fromHash() {
    show(decodeURIComponent(location.hash.slice(1)));
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("a[href^='#tm']") : null;
    if (!link || !document.getElementById("sizemap")) return;
    const id = link.getAttribute("href").slice(1);
    if (!views.some((view) => view.id === id)) return;
    event.preventDefault();
    history.pushState(null, "", "#" + id);
    show(id);
  });
  window.addEventListener("popstate", fromHash);
  fromHash();

  // Tables: a filter above each, and a sort button in each heading.
  function key(cell, numeric) {
    if (!cell) return numeric ? -Infinity : "";
    if (numeric) {
      const value = cell.getAttribute("data-v");
      return value === null ? -Infinity : Number(value);
    }
    return cell.textContent.trim().toLowerCase();
  }
  function sortBy(table, heading, column) {
    const numeric = heading.classList.contains("num");
    const ascending = heading.getAttribute("aria-sort") !== "ascending";
    for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    rows.sort((a, b) => {
      const x = key(a.cells[column], numeric);
      const y = key(b.cells[column], numeric);
      const order = numeric ? x - y : x.localeCompare(y);
      return ascending ? order : -order;
    });
    for (const row of rows) body.appendChild(row);
  }
  for (const table of document.querySelectorAll("table.data")) {
    const headings = Array.from(table.tHead.rows[0].cells);
    headings.forEach((heading, column) => {
      const button = document.createElement("button");
      button.type = "button";
      while (heading.firstChild) button.appendChild(heading.firstChild);
      heading.appendChild(button);
      button.addEventListener("click", () => sortBy(table, heading, column));
    });
    const rows = Array.from(table.tBodies[0].rows);
    const box = document.createElement("div");
    box.className = "filter";
    const input = document.createElement("input");
    input.type = "search";
    input.placeholder = "filter rows";
    input.setAttribute("aria-label", "filter the rows of this table");
    const count = document.createElement("span");
    count.className = "muted";
    box.append(input, count);
    table.before(box);
    input.addEventListener("input", () => {
      const wanted = input.value.trim().toLowerCase();
      let shown = 0;
      for (const row of rows) {
        const match = !wanted || row.textContent.toLowerCase().includes(wanted);
        row.hidden = !match;
        if (match) shown += 1;
      }
      count.textContent = wanted ? shown + " of " + rows.length + " rows" : "";
    });
  }
})();
