import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authed, makeClinic } from "../helpers";
import { noticeInsert } from "../../worker/notices/notices";

describe("notices", () => {
  it("lists only the caller's notices, newest first, and marks one read", async () => {
    const f = await makeClinic();
    const doc = f.doctors[0];
    const a = noticeInsert(env.DB, { clinicId: f.clinic.id, userId: doc.user.id, kind: "sync_override", message: "Your Google edit was overridden", entityType: "appointment", entityId: "a".repeat(32) }, 1_000);
    const b = noticeInsert(env.DB, { clinicId: f.clinic.id, userId: doc.user.id, kind: "reconnect", message: "Reconnect Google" }, 2_000);
    const other = noticeInsert(env.DB, { clinicId: f.clinic.id, userId: f.receptionist.user.id, kind: "x", message: "not yours" });
    await env.DB.batch([a.statement, b.statement, other.statement]);

    const api = authed(doc.token);
    expect(await (await api.get("/api/notices")).json()).toEqual({ notices: [b.notice, a.notice] });
    const read = await api.post(`/api/notices/${a.notice.id}/read`);
    expect(read.status).toBe(200);
    const readAt = (await read.json<any>()).notice.readAt;
    expect(Date.parse(readAt)).toBeGreaterThan(0);
    // Idempotent: the first read time stays.
    expect((await (await api.post(`/api/notices/${a.notice.id}/read`)).json<any>()).notice.readAt).toBe(readAt);
    expect((await (await api.get("/api/notices?unread=true")).json<any>()).notices.map((n: any) => n.id)).toEqual([b.notice.id]);
    // Someone else's notice: 404, unchanged.
    expect((await api.post(`/api/notices/${other.notice.id}/read`)).status).toBe(404);
    const row = await env.DB.prepare("SELECT read_at FROM notices WHERE id = ?").bind(other.notice.id).first();
    expect(row).toEqual({ read_at: null });
    expect((await authed(null).get("/api/notices")).status).toBe(401);
    expect((await api.get("/api/notices?unread=maybe")).status).toBe(422);
  });
});
