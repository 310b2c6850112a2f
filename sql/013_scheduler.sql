-- 013_scheduler: running work (DESIGN.md sections 5 and 6). nodes are the
-- GPU hosts, one row each, heartbeated by every scheduler tick; a job being
-- run carries its node, GPUs, lease and the supervisor's heartbeat; the
-- files a job leaves under outputs/ are registered in job_outputs.
CREATE TABLE IF NOT EXISTS nodes (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name            VARCHAR(128) NOT NULL,
  draining        TINYINT(1)   NOT NULL DEFAULT 0,
  gpu_count       INT          NOT NULL DEFAULT 0,
  gpu_model       VARCHAR(128) NULL,
  gpus_json       TEXT         NULL,
  cpu_count       INT          NOT NULL DEFAULT 0,
  memory_bytes    BIGINT       NOT NULL DEFAULT 0,
  version         VARCHAR(32)  NOT NULL DEFAULT '',
  heartbeat_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  created_at      DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_nodes_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE jobs ADD COLUMN IF NOT EXISTS gpu_ids VARCHAR(255) NULL;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS heartbeat_at DATETIME(6) NULL;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS queue_position INT NULL;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS exit_signal INT NULL;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS billed_seconds BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD INDEX IF NOT EXISTS ix_jobs_node (node_id, status);

CREATE TABLE IF NOT EXISTS job_outputs (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id        BIGINT UNSIGNED NOT NULL,
  path          VARCHAR(1024) NOT NULL,
  size_bytes    BIGINT       NOT NULL,
  sha256        CHAR(64)     CHARACTER SET ascii NOT NULL,
  content_type  VARCHAR(128) NOT NULL,
  created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_outputs_path (job_id, path(255)),
  CONSTRAINT fk_outputs_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
