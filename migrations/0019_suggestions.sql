-- Issue #21: scheduling suggestions. The clinic's no-show model (trained nightly from its own
-- completed / no-show history, worker/suggestions/train.ts) and the clinic's suggestion settings.

-- One row per clinic: the latest model. kind 'trained' or 'default' (under 300 labelled
-- appointments the documented default model is used and only the size is recorded here).
-- model is JSON { kind, baseRate, types, logistic: { intercept, weights, mean, scale }, … }.
CREATE TABLE noshow_models (
  clinic_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  trained_at INTEGER NOT NULL,
  training_size INTEGER NOT NULL,
  base_rate REAL NOT NULL,
  model TEXT NOT NULL
);

-- Per clinic: ranking weights, urgent types, horizon and the risk actions (JSON, validated by
-- worker/suggestions/settings.ts; a missing row or key means the default).
CREATE TABLE suggestion_settings (
  clinic_id TEXT PRIMARY KEY,
  settings TEXT NOT NULL DEFAULT '{}',
  updated_at INTEGER NOT NULL
);
