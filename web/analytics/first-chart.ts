/** Marks the first chart drawn on the Analytics page (the bench and the browser test read the mark). */
export function markFirstChart() {
  if (performance.getEntriesByName("analytics:first-chart").length === 0) performance.mark("analytics:first-chart");
}

/** Marks when the first section's numbers arrived (so first-chart − first-data is the render alone). */
export function markFirstData() {
  if (performance.getEntriesByName("analytics:first-data").length === 0) performance.mark("analytics:first-data");
}
