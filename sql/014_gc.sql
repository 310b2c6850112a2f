-- 014_gc: what kilnctl gc has done. A finished job's files (inputs, logs,
-- outputs) are removed [results] retention_days after it ended; the row
-- stays, with files_removed set, so that its history and cost remain.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS files_removed TINYINT(1) NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD INDEX IF NOT EXISTS ix_jobs_files (files_removed, finished_at);
