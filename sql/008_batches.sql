-- 008_batches: a named group of jobs submitted together. A batch's status
-- is derived from its jobs; deleting one (allowed once every job has
-- ended) deletes its jobs.
CREATE TABLE IF NOT EXISTS job_batches (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id         BIGINT UNSIGNED NOT NULL,
  name            VARCHAR(200) NOT NULL,
  description     TEXT         NULL,
  max_parallel    INT          NULL,
  failure_policy  ENUM('continue','abort_on_first_failure') NOT NULL DEFAULT 'continue',
  created_at      DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_batches_user (user_id, id),
  CONSTRAINT fk_batches_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE jobs ADD FOREIGN KEY IF NOT EXISTS fk_jobs_batch (batch_id)
  REFERENCES job_batches (id) ON DELETE CASCADE;
