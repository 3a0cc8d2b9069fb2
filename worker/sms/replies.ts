// What a patient's SMS reply means. Keywords follow the carriers' and Twilio's standard opt-out
// and opt-in words (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT…; START, YES, UNSTOP; HELP,
// INFO), matched on the whole trimmed message, case-insensitively. "C" confirms and "X"
// cancels the patient's next appointment (the letters the reminder tells them to send); "R"
// answers with the link to choose another time (self-reschedule).
export type ReplyIntent = "stop" | "start" | "help" | "confirm" | "cancel" | "reschedule" | "other";

const STOP = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"]);
const START = new Set(["START", "YES", "UNSTOP", "OPTIN"]);
const HELP = new Set(["HELP", "INFO"]);

export function classifyReply(body: string): ReplyIntent {
  const w = body.trim().replace(/[.!\s]+$/, "").toUpperCase();
  if (STOP.has(w)) return "stop";
  if (START.has(w)) return "start";
  if (HELP.has(w)) return "help";
  if (w === "C") return "confirm";
  if (w === "X") return "cancel";
  if (w === "R") return "reschedule";
  return "other";
}
