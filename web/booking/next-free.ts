// "Next free": the earliest start at or after `notBefore` where a visit of `minutes` fits in a
// doctor's free time, looking up to 8 weeks ahead, for one doctor or the earliest over several.
// Built on the same availability API (and the same "whole visit fits" rule, startsFitting) as
// the time list, so what it finds is always a time the list offers and the server accepts.
import { api } from "../api-client/client";
import type { Slot } from "../api-client/types";
import { startsFitting } from "./FreeSlots";

const WINDOW_DAYS = 28; // the availability API allows up to 62 days per query
const WINDOWS = 2;

const plusDays = (ymd: string, n: number) => {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

async function firstFor(doctorId: string, fromDay: string, notBefore: number, minutes: number): Promise<Slot | null> {
  for (let w = 0; w < WINDOWS; w++) {
    const from = plusDays(fromDay, w * WINDOW_DAYS);
    const r = await api.availability(doctorId, from, plusDays(from, WINDOW_DAYS - 1));
    const hit = startsFitting(r.slots, minutes * 60_000).find((s) => Date.parse(s.start) >= notBefore);
    if (hit) return hit;
  }
  return null;
}

export async function nextFree(doctorIds: string[], fromDay: string, notBefore: number, minutes: number, _tz: string): Promise<{ doctorId: string; slot: Slot } | null> {
  const found = await Promise.all(doctorIds.map(async (doctorId) => ({ doctorId, slot: await firstFor(doctorId, fromDay, notBefore, minutes) })));
  let best: { doctorId: string; slot: Slot } | null = null;
  for (const f of found) if (f.slot && (!best || Date.parse(f.slot.start) < Date.parse(best.slot.start))) best = { doctorId: f.doctorId, slot: f.slot };
  return best;
}
