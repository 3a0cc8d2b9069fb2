// Per-doctor subscribable feeds.
// - feedAdminRoutes, mounted under /api/doctors: the doctor themself or an admin
//   creates/rotates (POST), changes privacy (PATCH), disables (DELETE), reads status (GET).
//   The secret token is returned exactly once, inside the feed URLs of the POST answer;
//   only its SHA-256 is stored (doctors.feed_token_hash).
// - feedPublicRoutes, mounted on the app at /feeds: GET /feeds/<token>.ics, no session.
import { Hono } from "hono";
import { z } from "zod";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb } from "../db/client";
import { doctors } from "../db/schema";
import type { AppEnv, SessionUser } from "../env";
import { forbidden, notFound } from "../errors";
import { randomSecret, sha256Hex } from "../ids";
import { serveFeed } from "../ics/feed";
import { hubFor } from "../hub/doctor-hub";
import { csrf, requireSession } from "../middleware/session";
import { jsonBody } from "../validate";
import { idOf } from "./path-id";
import { and, eq } from "drizzle-orm";

/** 32 random bytes (256 bits) → 43 base64url characters. */
export const FEED_TOKEN_BYTES = 32;

const FeedPrivacy = z.enum(["busy", "minimal"]);
const CreateBody = z.strictObject({ privacy: FeedPrivacy.optional() });
const PatchBody = z.strictObject({ privacy: FeedPrivacy });

export function feedUrls(appUrl: string, token: string) {
  const url = `${appUrl.replace(/\/+$/, "")}/feeds/${token}.ics`;
  return { url, webcalUrl: url.replace(/^https?:\/\//, "webcal://") };
}

async function ownDoctor(c: { env: AppEnv["Bindings"]; var: { user: SessionUser } }, raw: string | undefined) {
  const id = idOf(raw, "Doctor");
  const u = c.var.user;
  const db = makeDb(c.env.DB);
  const doc = await db.query.doctors.findFirst({ where: and(eq(doctors.id, id), eq(doctors.clinicId, u.clinicId)) });
  if (!doc) throw notFound("Doctor");
  if (!(u.role === "admin" || (u.role === "doctor" && u.doctorId === doc.id))) throw forbidden("Only the doctor or an admin can manage this feed.");
  return { db, doc, u };
}

export const feedAdminRoutes = new Hono<AppEnv>()
  .use("/:id/feed", requireSession, csrf)
  .get("/:id/feed", async (c) => {
    const { doc } = await ownDoctor(c, c.req.param("id"));
    return c.json({ feed: { enabled: doc.feedEnabled && !!doc.feedTokenHash, privacy: doc.feedPrivacy } });
  })
  // Create or rotate: a new token replaces the old one at once (the old URL answers 404).
  .post("/:id/feed", async (c) => {
    const { db, doc, u } = await ownDoctor(c, c.req.param("id"));
    const ct = c.req.header("content-type") ?? "";
    const b = ct.includes("application/json") ? await jsonBody(c, CreateBody) : {};
    const privacy = b.privacy ?? doc.feedPrivacy;
    const token = randomSecret(FEED_TOKEN_BYTES);
    const hash = await sha256Hex(token);
    await db.batch([
      db.update(doctors).set({ feedTokenHash: hash, feedEnabled: true, feedPrivacy: privacy, updatedAt: Date.now() }).where(eq(doctors.id, doc.id)),
      auditInsert(db, u.clinicId, actorOf(u), doc.feedTokenHash ? "feed.rotate" : "feed.create", "doctor", doc.id, { after: { privacy } }),
    ]);
    // Stored before the URL is handed out, so the first poll is already a copy (worker/ics/feed-store.ts).
    await hubFor(c.env, doc.id).refreshFeed(doc.id);
    return c.json({ feed: { enabled: true, privacy, ...feedUrls(c.env.APP_URL, token) } }, 201);
  })
  .patch("/:id/feed", async (c) => {
    const { db, doc, u } = await ownDoctor(c, c.req.param("id"));
    const b = await jsonBody(c, PatchBody);
    await db.batch([
      db.update(doctors).set({ feedPrivacy: b.privacy, updatedAt: Date.now() }).where(eq(doctors.id, doc.id)),
      auditInsert(db, u.clinicId, actorOf(u), "feed.update", "doctor", doc.id, { before: { privacy: doc.feedPrivacy }, after: { privacy: b.privacy } }),
    ]);
    await hubFor(c.env, doc.id).refreshFeed(doc.id); // the body of the other privacy is never served
    return c.json({ feed: { enabled: doc.feedEnabled && !!doc.feedTokenHash, privacy: b.privacy } });
  })
  // Disable: the token hash is dropped, so even re-enabling needs a new URL.
  .delete("/:id/feed", async (c) => {
    const { db, doc, u } = await ownDoctor(c, c.req.param("id"));
    await db.batch([
      db.update(doctors).set({ feedTokenHash: null, feedEnabled: false, updatedAt: Date.now() }).where(eq(doctors.id, doc.id)),
      auditInsert(db, u.clinicId, actorOf(u), "feed.disable", "doctor", doc.id, {}),
    ]);
    await hubFor(c.env, doc.id).refreshFeed(doc.id); // removes the stored body
    return c.json({ feed: { enabled: false, privacy: doc.feedPrivacy } });
  });

export const feedPublicRoutes = new Hono<AppEnv>().get("/:file", async (c) => {
  const file = c.req.param("file");
  const token = file.endsWith(".ics") ? file.slice(0, -4) : "";
  // serveFeed also records the poll for the analytics KPI when one is due (analytics/feed-polls.ts).
  return serveFeed(c.req.raw, token, { env: c.env, waitUntil: (p) => c.executionCtx.waitUntil(p) });
});
