-- 017_job_counts_cheaper: the update trigger of 011 ran an INSERT ... SELECT
-- ... UNION ALL for every changed job row, even when neither status, kind
-- nor owner moved (heartbeats, progress, wait reasons: most updates). It
-- now tests first and touches job_counts only on a move. ix_jobs_status
-- (status, priority, id) served no query that ix_jobs_pending_user
-- (status, user_id, priority, id, from 015) does not, and cost an index
-- change on every status change. The tick finds the users with pending
-- jobs in job_counts by (status, user_id), a row per user and kind,
-- instead of in every pending job.
CREATE OR REPLACE TRIGGER job_counts_update AFTER UPDATE ON jobs FOR EACH ROW
BEGIN
  IF OLD.status <> NEW.status OR OLD.kind <> NEW.kind OR OLD.user_id <> NEW.user_id THEN
    UPDATE job_counts SET n = n - 1
     WHERE user_id = OLD.user_id AND status = OLD.status AND kind = OLD.kind;
    INSERT INTO job_counts (user_id, status, kind, n) VALUES (NEW.user_id, NEW.status, NEW.kind, 1)
      ON DUPLICATE KEY UPDATE n = n + 1;
  END IF;
END;

ALTER TABLE jobs DROP INDEX IF EXISTS ix_jobs_status;
ALTER TABLE job_counts ADD INDEX IF NOT EXISTS ix_job_counts_status (status, user_id);
