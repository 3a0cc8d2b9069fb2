// The clinic's suggestion settings (suggestion_settings.settings JSON): how the free-slot ranking
// weighs its criteria, which types are urgent, the horizon, and what the clinic does about
// high no-show risk. Every key has a default, so a clinic that never opened the settings gets
// sensible suggestions and no automatic action (actions are opt-in).
import { z } from "zod";

const DEFAULT_FINAL_HOURS = 4;

const weight = z.number().min(0).max(10);

export const SuggestionSettingsSchema = z.strictObject({
  weights: z
    .strictObject({
      /** The patient's usual weekdays and times. */
      habit: weight.optional(),
      /** Keeping the doctor's day compact (adjacent to other visits, no unusable gaps). */
      compact: weight.optional(),
      /** Spreading load across doctors when any doctor will do. */
      spread: weight.optional(),
      /** Lower predicted no-show risk of this patient at that time. */
      risk: weight.optional(),
      /** Sooner is better (always a little; much more for urgent types). */
      soon: weight.optional(),
    })
    .optional(),
  urgentTypes: z.array(z.string().trim().min(1).max(60)).max(50).optional(),
  horizonDays: z.number().int().min(1).max(62).optional(),
  /** Send high-risk unconfirmed patients one extra SMS reminder this many hours before. */
  extraSms: z.strictObject({ enabled: z.boolean(), hoursBefore: z.number().int().min(2).max(168) }).optional(),
  /**
   * Offer the time of a high-risk appointment still unconfirmed `cutoffHours` before its start to
   * the waitlist as a STANDBY offer (worker/waitlist/standby.ts): it becomes the waitlist
   * patient's only if the original patient cancels by the final point (`finalHours` before the
   * start) or — when `releaseUnconfirmed` — has still not confirmed then (the clinic releases it).
   */
  waitlistEarly: z
    .strictObject({
      enabled: z.boolean(),
      cutoffHours: z.number().int().min(1).max(168),
      finalHours: z.number().int().min(1).max(167).optional(),
      releaseUnconfirmed: z.boolean().optional(),
    })
    .refine((w) => (w.finalHours ?? DEFAULT_FINAL_HOURS) < w.cutoffHours, { message: "The final point must come after the cut-off (fewer hours before the start).", path: ["finalHours"] })
    .optional(),
});

export type StoredSuggestionSettings = z.infer<typeof SuggestionSettingsSchema>;

export interface SuggestionSettings {
  weights: { habit: number; compact: number; spread: number; risk: number; soon: number };
  urgentTypes: string[];
  horizonDays: number;
  extraSms: { enabled: boolean; hoursBefore: number };
  waitlistEarly: { enabled: boolean; cutoffHours: number; finalHours: number; releaseUnconfirmed: boolean };
}

export const DEFAULT_SETTINGS: SuggestionSettings = {
  weights: { habit: 1, compact: 1, spread: 0.5, risk: 1, soon: 0.3 },
  urgentTypes: [],
  horizonDays: 14,
  extraSms: { enabled: false, hoursBefore: 48 },
  waitlistEarly: { enabled: false, cutoffHours: 24, finalHours: DEFAULT_FINAL_HOURS, releaseUnconfirmed: false },
};

/** Stored JSON → effective settings; an unreadable row means the defaults, never a crash. */
export function effectiveSettings(json: string | null | undefined): SuggestionSettings {
  let s: StoredSuggestionSettings = {};
  try {
    const r = SuggestionSettingsSchema.safeParse(JSON.parse(json ?? "{}"));
    if (r.success) s = r.data;
  } catch {
    /* defaults */
  }
  const d = DEFAULT_SETTINGS;
  return {
    weights: { ...d.weights, ...s.weights },
    urgentTypes: s.urgentTypes ?? d.urgentTypes,
    horizonDays: s.horizonDays ?? d.horizonDays,
    extraSms: s.extraSms ?? d.extraSms,
    waitlistEarly: { ...d.waitlistEarly, ...s.waitlistEarly },
  };
}

export async function loadSettings(d1: D1Database, clinicId: string): Promise<SuggestionSettings> {
  const row = await d1.prepare("SELECT settings FROM suggestion_settings WHERE clinic_id = ?").bind(clinicId).first<{ settings: string }>();
  return effectiveSettings(row?.settings);
}
