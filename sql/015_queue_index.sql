-- 015_queue_index: the scheduler reads each user's first pending jobs by
-- priority then age; this index serves that window (and the count of
-- users waiting) without touching the rows it does not return.
ALTER TABLE jobs ADD INDEX IF NOT EXISTS ix_jobs_pending_user (status, user_id, priority, id);
