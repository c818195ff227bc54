// Adds a blank row to a table field: the last row cloned, its inputs renamed to the next index.
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest ? ev.target.closest("button.add-row") : null;
  if (!btn) { return; }
  var box = document.getElementById(btn.getAttribute("data-table"));
  var rows = box.querySelector(".rows");
  var last = rows.querySelector(".row:last-child");
  if (!last) { return; }
  var n = parseInt(rows.getAttribute("data-next"), 10);
  var old = last.getAttribute("data-row");
  var row = last.cloneNode(true);
  row.setAttribute("data-row", String(n));
  row.querySelector(".rownum").textContent = String(n + 1);
  row.querySelectorAll("input, select, textarea, label").forEach(function (el) {
    ["name", "id", "for"].forEach(function (attr) {
      var v = el.getAttribute(attr);
      if (v) { el.setAttribute(attr, v.replace("." + old + ".", "." + n + ".").replace("-" + old + "-", "-" + n + "-")); }
    });
    if (el.tagName === "SELECT") { el.selectedIndex = 0; }
    else if (el.type === "checkbox") { el.checked = false; }
    else if ("value" in el && el.tagName !== "LABEL") { el.value = ""; }
  });
  rows.appendChild(row);
  rows.setAttribute("data-next", String(n + 1));
});
