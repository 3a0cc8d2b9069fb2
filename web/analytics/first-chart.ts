/** Marks the first chart drawn on the Analytics page (the bench and the browser test read the mark). */
export function markFirstChart() {
  if (performance.getEntriesByName("analytics:first-chart").length === 0) performance.mark("analytics:first-chart");
}
