-- 007_projects: named groups of jobs (the film docs' projects). Deleting a
-- project leaves its finished jobs, unattached; one with active jobs is
-- refused by the API (409).
CREATE TABLE IF NOT EXISTS projects (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id      BIGINT UNSIGNED NOT NULL,
  name         VARCHAR(200) NOT NULL,
  description  TEXT         NULL,
  created_at   DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at   DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY ix_projects_user (user_id, id),
  CONSTRAINT fk_projects_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE jobs ADD FOREIGN KEY IF NOT EXISTS fk_jobs_project (project_id)
  REFERENCES projects (id) ON DELETE SET NULL;
