// ClinicLive: one Durable Object per clinic that fans out changes to every open
// calendar screen of that clinic over hibernatable WebSockets, with a sequence
// number per clinic and a short replay log so a reconnecting client misses nothing.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { LiveChange } from "./messages";

export class ClinicLive extends DurableObject<Env> {
  async publish(_change: LiveChange): Promise<void> {
    // Filled in by the live-updates work (issue #2).
  }
}
