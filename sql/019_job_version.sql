-- 019_job_version: every job row carries row_version, which a trigger
-- bumps on every UPDATE, so that a reader can tell in one narrow read
-- whether the job changed since it last answered it. kiln-api keeps each
-- worker's last answers of GET /api/v1/jobs/{id} by (id, row_version) and
-- gives clients an ETag from it (If-None-Match: 304). A trigger, not each
-- statement, so that no UPDATE of jobs can forget it. Foreign-key actions
-- run no triggers: a project or data set being deleted sets its jobs'
-- column to NULL with a statement first (fk_jobs_project and
-- fk_jobs_dataset keep ON DELETE SET NULL only as a net).
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS row_version BIGINT UNSIGNED NOT NULL DEFAULT 0;

CREATE OR REPLACE TRIGGER jobs_row_version BEFORE UPDATE ON jobs FOR EACH ROW
  SET NEW.row_version = OLD.row_version + 1;
