// Column pieces shared by the schema modules. Not re-exported by worker/db/schema.ts: no table here.
import { sql } from "drizzle-orm";

// Default of the created_at / updated_at columns: the time of the write, in ms since the epoch.
export const now = sql`(unixepoch() * 1000)`;
