"""Executions' runs table: one row a run, the run shown marked, a click on a row shows its run.

Why a component and not ``st.dataframe``: Streamlit's grid (1.67) holds a row click back 150 ms
before it tells the server (its selection debounce), half of the 0.3 s a widget change may take
(issue 10); it reports the row's position, which a refresh may give to another run; and an app
can set its selection only in ways the grid ignores when they repeat (benchmarks/README.md,
rounds 20 and 21). This table sends the clicked run's ARN as a trigger value the moment it is
clicked (as Executions' graph sends a state), marks the run shown itself, and sorts in the
browser by a click on a column header (ascending, descending, then the page's order again),
keeping its sort, scroll and keyboard focus across the page's refreshes; while the pointer is on
the rows, a refresh leaves them in their places (a click about to land stays on its run).

Every cell is set as text (``textContent``), never parsed as HTML: a run's name, dataset or
parameters are whatever a user launched with. The server formats the cells
(``execution_list.table_payload``) and gives each a sort key (a number, text, or null, which
sorts last either way). The keyboard: the headers are one Tab stop (the arrow keys, Home and End
move along them; Enter or Space sorts) and the rows another, the run shown's (the arrow keys, Home
and End move between rows; Enter or Space shows the focused row's run). A focused row is brought
into view up and down only: the Name column stays in view (it is pinned) whatever the sideways
scroll.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.component_trigger import trigger_text

#: The component's name (unique in the app) and the trigger its clicks send.
COMPONENT_NAME = "rfm_runs_table"
CLICK_EVENT = "clicked"

#: Builds the table once per element, then on each call redraws the rows when they changed and
#: moves the mark when the run shown changed. A click marks its row at once (the server's answer
#: confirms it) and sends the row's ARN.
SCRIPT = r"""
function sortedRows(holder, rows) {
  const sort = holder.rtSort;
  const order = rows.map((row, index) => index);
  if (!sort) return order;
  const sign = sort.descending ? -1 : 1;
  const compare = (a, b) => {
    const x = rows[a].keys[sort.column], y = rows[b].keys[sort.column];
    if (x === y) return a - b;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (typeof x === "number" && typeof y === "number") return sign * (x - y) || a - b;
    return sign * String(x).localeCompare(String(y)) || a - b;
  };
  return order.sort(compare);
}

function mark(holder, arn) {
  let marked = null;
  for (const row of holder.querySelectorAll("tbody tr")) {
    const shown = row.dataset.arn === arn;
    row.classList.toggle("rt-shown", shown);
    if (shown) { row.setAttribute("aria-current", "true"); marked = row; }
    else row.removeAttribute("aria-current");
    row.tabIndex = -1;
  }
  const stop = marked || holder.querySelector("tbody tr");
  if (stop) stop.tabIndex = 0;
}

// Focus ``element`` without the browser scrolling the table sideways (a focused row's last cell
// brought into view hid its Name): only the table's vertical scroll follows a row.
function focusQuietly(holder, element) {
  element.focus({ preventScroll: true });
  const scroller = holder.querySelector(".rt-scroll");
  if (element.tagName !== "TR") return;
  const head = holder.querySelector("thead").offsetHeight;
  const top = element.offsetTop - head, bottom = element.offsetTop + element.offsetHeight;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (bottom > scroller.scrollTop + scroller.clientHeight) {
    scroller.scrollTop = bottom - scroller.clientHeight;
  }
}

// One Tab stop for the headers (the sorted one, else the first) and one for the rows (the run
// shown's): the arrow keys move within each.
function moveWithin(holder, current, next) {
  if (!next) return;
  current.tabIndex = -1;
  next.tabIndex = 0;
  focusQuietly(holder, next);
}

function drawHeader(holder, columns) {
  const head = holder.querySelector("thead tr");
  head.replaceChildren(...columns.map((column, index) => {
    const cell = document.createElement("th");
    cell.scope = "col";
    if (column.numeric) cell.className = "rt-num";
    if (column.help) cell.title = column.help;
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.column = String(index);
    button.textContent = column.name;
    button.tabIndex = index === 0 ? 0 : -1;
    cell.appendChild(button);
    return cell;
  }));
}

// The rows' order: the sort's, but on a refresh under the pointer the order on screen, so that
// a row does not move under a click about to land (a running run's duration, sorted on, climbs);
// the sort is applied once the pointer leaves. A run come or gone changes the rows anyway.
function rowOrder(holder, rows, refresh) {
  const body = holder.querySelector("tbody");
  const onScreen = [...body.rows].map((line) => line.dataset.arn);
  const place = new Map(rows.map((row, index) => [row.arn, index]));
  const same = onScreen.length === rows.length && onScreen.every((arn) => place.has(arn));
  if (refresh && same && body.matches(":hover")) {
    holder.rtOrderStale = true;
    return onScreen.map((arn) => place.get(arn));
  }
  holder.rtOrderStale = false;
  return sortedRows(holder, rows);
}

function drawRows(holder, refresh = false) {
  const { columns, rows } = holder.rtData;
  const focused = document.activeElement && holder.contains(document.activeElement)
    ? document.activeElement.dataset.arn : undefined;
  const body = holder.querySelector("tbody");
  body.replaceChildren(...rowOrder(holder, rows, refresh).map((index) => {
    const row = rows[index];
    const line = document.createElement("tr");
    line.dataset.arn = row.arn;
    row.cells.forEach((text, column) => {
      const cell = document.createElement("td");
      cell.textContent = text;
      if (columns[column].numeric) cell.className = "rt-num";
      if (columns[column].clip) { cell.classList.add("rt-clip"); cell.title = text; }
      line.appendChild(cell);
    });
    return line;
  }));
  holder.querySelectorAll("thead th").forEach((cell, index) => {
    const sort = holder.rtSort;
    cell.setAttribute("aria-sort", sort && sort.column === index
      ? (sort.descending ? "descending" : "ascending") : "none");
  });
  mark(holder, holder.rtShown);
  if (focused !== undefined) {
    for (const line of body.rows) if (line.dataset.arn === focused) { focusQuietly(holder, line); break; }
  }
}

// How much of the theme's red tints the run shown's row: on the dark theme's near-black the light
// theme's 14% was a barely darker red, seen by no one.
const LIGHT_MARK_SHARE = "14%", DARK_MARK_SHARE = "24%";

function isDark(colour) {
  const [red, green, blue] = (colour.match(/[0-9.]+/g) || [255, 255, 255]).map(Number);
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 128;
}

function pageBackground(element) {
  for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour && colour !== "transparent" && !/rgba\(.*,\s*0\)$/.test(colour)) return colour;
  }
  return "white";
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let holder = parentElement.querySelector(".rt-holder");
  if (!holder) {
    holder = document.createElement("div");
    holder.className = "rt-holder";
    holder.innerHTML = '<div class="rt-scroll"><table class="rt">'
      + '<thead><tr></tr></thead><tbody></tbody></table></div>';
    parentElement.appendChild(holder);
    holder.rtSort = null;
    const pick = (line) => {
      if (!line || !holder.contains(line)) return;
      holder.rtShown = line.dataset.arn;
      mark(holder, holder.rtShown);
      focusQuietly(holder, line);
      holder.rtSend(line.dataset.arn);
    };
    holder.querySelector("tbody").addEventListener("mouseleave", () => {
      if (holder.rtOrderStale) drawRows(holder);
    });
    holder.addEventListener("click", (event) => {
      const header = event.target.closest("thead button");
      if (header) {
        const column = Number(header.dataset.column);
        const sort = holder.rtSort;
        holder.rtSort = !sort || sort.column !== column ? { column, descending: false }
          : (sort.descending ? null : { column, descending: true });
        for (const button of holder.querySelectorAll("thead button")) {
          button.tabIndex = button === header ? 0 : -1;
        }
        drawRows(holder);
        return;
      }
      pick(event.target.closest("tbody tr"));
    });
    holder.addEventListener("keydown", (event) => {
      const header = event.target.closest("thead button");
      if (header) {
        const cell = header.parentElement;
        const to = { ArrowRight: cell.nextElementSibling, ArrowLeft: cell.previousElementSibling,
          Home: cell.parentElement.firstElementChild, End: cell.parentElement.lastElementChild }[event.key];
        if (to !== undefined) {
          event.preventDefault();
          moveWithin(holder, header, to && to.firstElementChild);
        }
        return;
      }
      const line = event.target.closest("tbody tr");
      if (!line) return;
      const rows = line.parentElement;
      const to = { ArrowDown: line.nextElementSibling, ArrowUp: line.previousElementSibling,
        Home: rows.firstElementChild, End: rows.lastElementChild }[event.key];
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        pick(line);
      } else if (to !== undefined) {
        event.preventDefault();
        moveWithin(holder, line, to);
      }
    });
  }
  holder.rtSend = (arn) => setTriggerValue("clicked", arn);
  const background = pageBackground(parentElement);
  holder.style.setProperty("--rt-background", background);
  holder.style.setProperty("--rt-mark-share", isDark(background) ? DARK_MARK_SHARE : LIGHT_MARK_SHARE);
  if (!data) return;
  holder.querySelector(".rt-scroll").style.maxHeight = data.height + "px";
  const columns = JSON.stringify(data.columns);
  if (holder.rtColumns !== columns) {
    holder.rtColumns = columns;
    holder.rtSort = null;
    drawHeader(holder, data.columns);
  }
  const rows = JSON.stringify(data.rows);
  const shownChanged = holder.rtDataShown !== data.shown;
  holder.rtDataShown = data.shown;
  if (shownChanged) holder.rtShown = data.shown;
  if (holder.rtRows !== rows) {
    const refresh = holder.rtRows !== undefined;
    holder.rtRows = rows;
    holder.rtData = data;
    drawRows(holder, refresh);
  } else if (shownChanged) {
    mark(holder, holder.rtShown);
  }
  holder.dataset.shown = holder.rtShown || "";
}
"""

#: Sizes as Streamlit's grid had them (35 px rows), colours mixed from the page's text colour so
#: both themes read; the run shown is tinted and barred in the theme's red. A long cell is cut
#: (its whole text on hover); a table wider than the page scrolls.
STYLE = """
.rt-scroll { overflow: auto; border: 1px solid color-mix(in srgb, currentColor 12%, transparent);
  border-radius: 0.5rem; --rt-hover: color-mix(in srgb, currentColor 5%, transparent);
  --rt-mark: color-mix(in srgb, #ff4b4b var(--rt-mark-share, 14%), transparent); }
.rt { border-collapse: separate; border-spacing: 0; width: 100%; font-size: 0.875rem; }
.rt th, .rt td { height: 34px; padding: 0 0.5rem; text-align: left; white-space: nowrap;
  border-bottom: 1px solid color-mix(in srgb, currentColor 10%, transparent); }
.rt thead th { position: sticky; top: 0; z-index: 2; padding: 0;
  background: linear-gradient(color-mix(in srgb, currentColor 4%, transparent),
    color-mix(in srgb, currentColor 4%, transparent)), var(--rt-background, white); }
.rt thead button { all: unset; box-sizing: border-box; width: 100%; height: 34px; padding: 0 0.5rem;
  cursor: pointer; color: color-mix(in srgb, currentColor 65%, transparent); }
.rt thead button:focus-visible { outline: 2px solid #1565c0; outline-offset: -2px; }
.rt th[aria-sort=none] button:is(:hover, :focus-visible)::after { content: " \\2195"; opacity: 0.6; }
.rt th[aria-sort=ascending] button::after { content: " \\2191"; }
.rt th[aria-sort=descending] button::after { content: " \\2193"; }
.rt .rt-num, .rt th.rt-num button { text-align: right; font-variant-numeric: tabular-nums; }
.rt td.rt-clip { max-width: 14rem; overflow: hidden; text-overflow: ellipsis; }
/* The Name column stays in view when the table scrolls sideways (opaque, over the page's colour). */
.rt th:first-child, .rt td:first-child { position: sticky; left: 0; }
.rt th:first-child { z-index: 3; }
.rt td:first-child { z-index: 1; background: var(--rt-background, white);
  box-shadow: inset -1px 0 0 color-mix(in srgb, currentColor 10%, transparent); }
.rt tbody tr { cursor: pointer; outline: none; }
.rt tbody tr:hover td {
  background: linear-gradient(var(--rt-hover), var(--rt-hover)), var(--rt-background, white); }
.rt tbody tr.rt-shown td {
  background: linear-gradient(var(--rt-mark), var(--rt-mark)), var(--rt-background, white); }
/* The run shown: tinted, barred in the theme's red, its name heavier without changing its width. */
.rt tbody tr.rt-shown td:first-child {
  box-shadow: inset 4px 0 0 #ff4b4b; text-shadow: 0 0 0.6px currentColor; }
.rt tbody tr:focus-visible td { box-shadow: inset 0 2px 0 #1565c0, inset 0 -2px 0 #1565c0; }
.rt tbody tr:focus-visible td:first-child { box-shadow: inset 2px 2px 0 #1565c0, inset 0 -2px 0 #1565c0; }
.rt tbody tr.rt-shown:focus-visible td:first-child {
  box-shadow: inset 4px 0 0 #ff4b4b, inset 6px 0 0 #1565c0, inset 0 2px 0 #1565c0, inset 0 -2px 0 #1565c0; }
"""

#: Registered once, at import (see ``ui.graph_component``).
_RENDERER = st.components.v2.component(COMPONENT_NAME, js=SCRIPT, css=STYLE, isolate_styles=False)


def runs_table(payload: dict[str, Any], *, key: str, on_click: Callable[[], None]) -> None:
    """Draw the runs table ``payload`` (``execution_list.table_payload``: its columns, its rows
    with their ARNs, the run shown and the height); ``on_click`` runs when a row is clicked, and
    :func:`clicked` names the row's run during that rerun."""
    _RENDERER(data=payload, key=key, on_clicked_change=on_click)


def clicked(key: str) -> str | None:
    """The ARN a click on the table ``key`` sent, during the rerun the click caused; else None.
    It comes from the browser: the caller checks that it names a listed run."""
    return trigger_text(key, CLICK_EVENT)
