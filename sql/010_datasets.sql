-- 010_datasets: uploaded data sets (a file under [storage] root, kept by id)
-- and jobs that use one. A data set an active job uses cannot be deleted.
CREATE TABLE IF NOT EXISTS datasets (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id      BIGINT UNSIGNED NOT NULL,
  name         VARCHAR(200) NOT NULL,
  description  TEXT         NULL,
  filename     VARCHAR(255) NOT NULL,
  format       VARCHAR(16)  NOT NULL,
  size_bytes   BIGINT       NOT NULL,
  sha256       CHAR(64)     CHARACTER SET ascii NOT NULL,
  created_at   DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_datasets_user (user_id, id),
  CONSTRAINT fk_datasets_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE jobs ADD COLUMN IF NOT EXISTS dataset_id BIGINT UNSIGNED NULL;
ALTER TABLE jobs ADD FOREIGN KEY IF NOT EXISTS fk_jobs_dataset (dataset_id)
  REFERENCES datasets (id) ON DELETE SET NULL;
