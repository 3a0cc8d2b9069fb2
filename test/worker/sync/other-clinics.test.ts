// Which events marked as ACMS's are another clinic's (docs/sync.md "A doctor in two clinics"): the
// classification the engine makes with one batched read per pull (worker/sync/other-clinics.ts).
import { env as cfEnv } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../worker/env";
import { newId } from "../../../worker/ids";
import { otherClinicsAppointments } from "../../../worker/sync/other-clinics";
import { authed, json, makeClinic, type ClinicFixture } from "../../helpers";
import { countingDb } from "../d1-counter";
import { dayPlus } from "../../days";

const env = cfEnv as unknown as Env;
let slot = 0;

async function book(f: ClinicFixture, doctor = 0) {
  const h = 9 + (slot % 3);
  const m = String(10 * Math.floor(slot++ / 3) % 60).padStart(2, "0");
  const start = `${dayPlus(slot < 18 ? 0 : 1)}T${String(h).padStart(2, "0")}:${m}:00.000Z`;
  const res = await authed(f.tokens.receptionist).post("/api/appointments", {
    doctorId: f.doctors[doctor].doctor.id,
    patientId: f.patients[0].id,
    start,
    end: new Date(Date.parse(start) + 5 * 60_000).toISOString(),
  });
  if (res.status !== 201) throw new Error(`book: ${res.status} ${await res.text()}`);
  return (await json(res)).appointment.id as string;
}

async function deleted(f: ClinicFixture) {
  const id = await book(f);
  expect((await authed(f.tokens.admin).delete(`/api/appointments/${id}`)).status).toBe(200);
  return id;
}

describe("otherClinicsAppointments", () => {
  it("an appointment id is another clinic's unless this clinic has or had it (a deleted one stays ours)", async () => {
    const here = await makeClinic({ timeZone: "Europe/London" });
    const there = await makeClinic({ timeZone: "Europe/London" });
    const cases: [string, () => Promise<string>, boolean][] = [
      ["this clinic's appointment", () => book(here), false],
      ["this clinic's appointment of another doctor", () => book(here, 1), false],
      ["this clinic's deleted appointment (its event's deletion may still wait in our outbox)", () => deleted(here), false],
      ["another clinic's appointment", () => book(there), true],
      ["another clinic's deleted appointment", () => deleted(there), true],
      ["an id no clinic here ever had (another deployment)", async () => newId(), true],
    ];
    const ids: string[] = [];
    for (const [, make] of cases) ids.push(await make());
    const foreign = await otherClinicsAppointments(env, here.clinic.id, ids);
    expect(cases.map(([name], i) => [name, foreign.has(ids[i])])).toEqual(cases.map(([name, , want]) => [name, want]));
  });

  it("one round trip for a pull of 600 marked events; none for a pull with none", async () => {
    const here = await makeClinic({ timeZone: "Europe/London" });
    const counted = countingDb(env.DB);
    const ids = Array.from({ length: 600 }, () => newId());
    const foreign = await otherClinicsAppointments({ DB: counted.db }, here.clinic.id, ids);
    expect(foreign.size).toBe(600);
    expect(counted.count.trips).toBe(1);
    await otherClinicsAppointments({ DB: counted.db }, here.clinic.id, []);
    expect(counted.count.trips).toBe(1);
  });
});
