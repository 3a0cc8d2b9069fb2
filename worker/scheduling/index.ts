// Pure slot maths: no I/O, no clock. See zone.ts (wall time ↔ UTC), working-hours.ts,
// intervals.ts, slots.ts and rules.ts.
export * from "./intervals";
export * from "./rules";
export * from "./slots";
export * from "./working-hours";
export * from "./zone";
