// Typed messages on the live WebSocket. The server sends
//   { type: "change", seq, change: LiveChange }  for every change, seq increasing per clinic;
//   { type: "hello", seq }                      on connect (the latest seq);
//   { type: "resync" }                          when a resume point is too old: reload the range;
//   { type: "subscribed", doctorIds, seq }      after a subscribe (and its replay) was applied;
//   { type: "pong" }                            answer to { type: "ping" }.
// The client sends { type: "subscribe", doctorIds: string[], since?: number }.
export type LiveChange =
  | { kind: "appointment"; op: "created" | "updated" | "deleted"; doctorId: string; record: unknown }
  | { kind: "blocked"; op: "created" | "updated" | "deleted"; doctorId: string; record: unknown }
  | { kind: "integration"; op: "updated"; doctorId: string; record: unknown }
  | { kind: "notice"; op: "created"; doctorId: string; record: unknown }
  // A doctor's settings changed (hours, slot length, colour, name, types): record is the DoctorDto.
  | { kind: "doctor"; op: "updated"; doctorId: string; record: unknown }
  // The doctor's waitlist offers changed (sent, opened, accepted, expired): the Waitlist screen reloads. record: {}.
  | { kind: "waitlist"; op: "updated"; doctorId: string; record: unknown };

export type ServerMessage =
  | { type: "hello"; seq: number }
  | { type: "change"; seq: number; change: LiveChange }
  | { type: "resync"; reason: string }
  | { type: "subscribed"; doctorIds: string[]; seq: number }
  | { type: "pong" }
  | { type: "error"; error: { code: string; message: string } };

export type ClientMessage = { type: "subscribe"; doctorIds: string[]; since?: number } | { type: "ping" };
