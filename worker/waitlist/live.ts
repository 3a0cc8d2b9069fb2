// The live message that tells open Waitlist screens to reload (offers sent, opened, accepted,
// expired). It carries no data: the screen reads the list again through the API (session and
// clinic checked there), so nothing about patients travels on the clinic-wide channel.
import type { LiveChange } from "../live/messages";

export const waitlistLive = (doctorId: string): LiveChange => ({ kind: "waitlist", op: "updated", doctorId, record: {} });
