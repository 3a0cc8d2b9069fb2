-- Issue #18 (perf): subscribable feeds are served from a stored body, never rendered on a request.
-- One row per doctor with a feed: the whole calendar for the doctor's current feed privacy,
-- gzip-compressed and base64-encoded (D1 returns a BLOB as an array of numbers; a base64 string
-- comes back as one string and decodes natively). Rebuilt by the doctor's DoctorHub right after
-- every change to the calendar (worker/ics/feed-store.ts). `shape` hashes everything else the
-- body depends on (day, window, privacy, names, clinic fields, format); a request that sees
-- another shape serves the stored body and asks the hub to rebuild. `etag` hashes the body.
CREATE TABLE feed_bodies (
  doctor_id TEXT PRIMARY KEY NOT NULL REFERENCES doctors(id) ON DELETE CASCADE,
  privacy TEXT NOT NULL,
  shape TEXT NOT NULL,
  etag TEXT NOT NULL,
  built_at INTEGER NOT NULL,
  events INTEGER NOT NULL,
  gzip_base64 TEXT NOT NULL
);
