// A generated clinic history with known no-show patterns, for `npm run eval`. The patterns live
// here only: the model (worker/suggestions) sees the same columns a real clinic's D1 holds and
// has to find them. Seeded (mulberry32), so a seed always gives the same history.
//
// The truth: every patient has a hidden reliability (never shown to the model; it can only be
// guessed from their record), and an appointment's no-show log-odds are
//   -3.0 + 0.35·log1p(lead days) + 0.5·Monday + 0.45·(starts 16:00 or later) − 0.5·video
//   + 0.35·check-up + 1.0·unreliability + 0.8·not confirmed + 0.4·no reminder delivered.
// Confirming is itself likelier for reliable patients, as in life. 8 % of bookings are cancelled
// (not labelled, so not trained on).
import { localToUtc, addDays, isoWeekday } from "../../worker/scheduling/zone";
import type { LabelledVisit } from "../../worker/suggestions/training-set";
import { mulberry32 } from "../../scripts/prng";


const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const DAY = 86_400_000;

export interface GeneratedVisit extends LabelledVisit {
  cancelled: boolean;
  doctor: number;
  /** The generator's own probability (the ceiling a model could reach), never given to the model. */
  trueRisk: number;
}

export interface HistoryOptions {
  seed?: number;
  zone?: string;
  firstDay?: string;
  days?: number;
  doctors?: number;
  perDoctorDay?: number;
  patients?: number;
}

export function generateHistory(o: HistoryOptions = {}): GeneratedVisit[] {
  const rand = mulberry32(o.seed ?? 1);
  const zone = o.zone ?? "Europe/London";
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const nPatients = o.patients ?? 1500;
  const unreliability = Array.from({ length: nPatients }, () => normal());
  // Some patients come often: a skewed pick, so histories range from 1 visit to dozens.
  const pickPatient = () => Math.floor(nPatients * rand() ** 1.7);
  const types = [
    ["consultation", 0.5],
    ["follow-up", 0.25],
    ["check-up", 0.15],
    ["vaccination", 0.1],
  ] as const;
  const pickType = () => {
    let r = rand();
    for (const [t, p] of types) if ((r -= p) < 0) return t;
    return "consultation";
  };
  const out: GeneratedVisit[] = [];
  const first = o.firstDay ?? "2025-01-06";
  for (let day = 0; day < (o.days ?? 364); day++) {
    const date = addDays(first, day);
    const wd = isoWeekday(date);
    if (wd === 7) continue;
    const perDoctor = wd === 6 ? Math.floor((o.perDoctorDay ?? 12) / 3) : (o.perDoctorDay ?? 12);
    for (let doctor = 0; doctor < (o.doctors ?? 3); doctor++) {
      for (let k = 0; k < perDoctor; k++) {
        const hour = 8 + Math.floor(rand() * 10); // 08:00 … 17:xx
        const minute = rand() < 0.5 ? "00" : "30";
        const startMs = localToUtc(zone, date, `${String(hour).padStart(2, "0")}:${minute}`);
        const r = rand();
        const leadDays = r < 0.2 ? rand() * 0.9 : r < 0.6 ? 1 + rand() * 6 : 7 + rand() * 35;
        const patient = pickPatient();
        const type = pickType();
        const video = (type === "consultation" || type === "follow-up") && rand() < 0.2;
        const reminded = rand() < (leadDays >= 1 ? 0.85 : 0.4);
        const u = unreliability[patient];
        const confirmed = rand() < sigmoid(0.8 - 0.9 * u - 0.3 * Math.log1p(leadDays)) * (reminded ? 1 : 0.4);
        const logit =
          -3.0 + 0.35 * Math.log1p(leadDays) + (wd === 1 ? 0.5 : 0) + (hour >= 16 ? 0.45 : 0) - (video ? 0.5 : 0) +
          (type === "check-up" ? 0.35 : 0) + 1.0 * u + (confirmed ? 0 : 0.8) + (reminded ? 0 : 0.4);
        out.push({
          patientId: `p${patient}`,
          doctor,
          startMs,
          bookedMs: startMs - leadDays * DAY,
          type,
          video,
          reminded,
          confirmed,
          noShow: rand() < sigmoid(logit),
          trueRisk: sigmoid(logit),
          cancelled: rand() < 0.08,
        });
      }
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}
