-- 011_job_counts: how many jobs each user has per status and kind, kept by
-- triggers in the transaction that changes the job, so a list's total and
-- GET /jobs/stats read a few rows instead of counting 100 000. Cascaded
-- deletes fire no triggers: code deletes jobs with DELETE FROM jobs (a
-- batch's too), never through a foreign key.
CREATE TABLE IF NOT EXISTS job_counts (
  user_id  BIGINT UNSIGNED NOT NULL,
  status   VARCHAR(32)     NOT NULL,
  kind     VARCHAR(16)     NOT NULL,
  n        BIGINT          NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, status, kind),
  CONSTRAINT fk_job_counts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE OR REPLACE TRIGGER job_counts_insert AFTER INSERT ON jobs FOR EACH ROW
  INSERT INTO job_counts (user_id, status, kind, n) VALUES (NEW.user_id, NEW.status, NEW.kind, 1)
  ON DUPLICATE KEY UPDATE n = n + 1;

CREATE OR REPLACE TRIGGER job_counts_delete AFTER DELETE ON jobs FOR EACH ROW
  UPDATE job_counts SET n = n - 1
  WHERE user_id = OLD.user_id AND status = OLD.status AND kind = OLD.kind;

CREATE OR REPLACE TRIGGER job_counts_update AFTER UPDATE ON jobs FOR EACH ROW
  INSERT INTO job_counts (user_id, status, kind, n)
  SELECT OLD.user_id, OLD.status, OLD.kind, -1 FROM DUAL
   WHERE OLD.status <> NEW.status OR OLD.kind <> NEW.kind OR OLD.user_id <> NEW.user_id
  UNION ALL
  SELECT NEW.user_id, NEW.status, NEW.kind, 1 FROM DUAL
   WHERE OLD.status <> NEW.status OR OLD.kind <> NEW.kind OR OLD.user_id <> NEW.user_id
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);

-- the jobs that exist already (a migration runs before the service starts)
DELETE FROM job_counts;
INSERT INTO job_counts (user_id, status, kind, n)
  SELECT user_id, status, kind, COUNT(*) FROM jobs GROUP BY user_id, status, kind;
