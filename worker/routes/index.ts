// Every /api route group except auth. Each group is its own module.
import { Hono } from "hono";
import type { AppEnv } from "../env";

export const apiRoutes = new Hono<AppEnv>();
