// A thin wrapper over Chart.js (served by jointcheck itself from web/node_modules). Every chart
// sits next to a table of the same figures, so a page without the library loses nothing.

import { h } from "./dom.js";

const PALETTE = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#00838f",
  "#9e9d24", "#4e342e"];
export const OUTCOME_COLOURS = {
  admit: "#2e7d32", register: "#1565c0", persuade: "#f9a825", restrict: "#ef6c00",
  deny: "#c62828",
};
const live = [];

/** Tell whether the chart library is loaded. */
export function available() {
  return typeof window.Chart === "function";
}

/** Destroy every chart drawn so far (before a page is drawn again). */
export function destroyAll() {
  while (live.length) live.pop().destroy();
}

function holder(label) {
  const canvas = h("canvas", { role: "img", "aria-label": label });
  return { box: h("div", { class: "chart" }, canvas), canvas };
}

function whenConnected(element, action, frames = 600) {
  if (element.isConnected) action();
  else if (frames > 0) requestAnimationFrame(() => whenConnected(element, action, frames - 1));
}

function draw(kind, label, data, options) {
  if (!available()) return null;
  const { box, canvas } = holder(label);
  // The canvas must be in the document before Chart.js measures it; the caller appends `box`
  // when its figures are in, so wait for that (a box never attached is given up).
  whenConnected(canvas, () => {
    const chart = new window.Chart(canvas, {
      type: kind, data,
      options: {
        animation: false, responsive: true, maintainAspectRatio: true, aspectRatio: 1.8,
        plugins: { legend: { position: "bottom" } }, ...options,
      },
    });
    live.push(chart);
    box.dataset.drawn = "true";
  });
  return box;
}

/** Return a bar chart's box (or null without the library): `series` is [{label, data, colour}]. */
export function bars(label, labels, series, { stacked = false, horizontal = false,
  percent = false } = {}) {
  const datasets = series.map((one, index) => ({
    label: one.label, data: one.data, backgroundColor: one.colour || PALETTE[index % 8],
  }));
  const axis = { stacked, beginAtZero: true };
  const value = percent ? { ...axis, max: 100 } : axis;
  return draw("bar", label, { labels, datasets }, {
    indexAxis: horizontal ? "y" : "x",
    scales: horizontal ? { x: value, y: axis } : { x: axis, y: value },
  });
}

/** Return a line chart's box (or null without the library). */
export function lines(label, labels, series) {
  const datasets = series.map((one, index) => ({
    label: one.label, data: one.data, borderColor: one.colour || PALETTE[index % 8],
    backgroundColor: one.colour || PALETTE[index % 8], borderDash: one.dashed ? [6, 4] : [],
    tension: 0, spanGaps: true, pointRadius: 2,
  }));
  return draw("line", label, { labels, datasets }, { scales: { y: { beginAtZero: true } } });
}
