-- 001_foundation: site-wide settings (key/value) that operators change at
-- run time without a restart; later migrations seed their own keys.
-- schema_migrations itself is created by kilnctl before any migration runs.
CREATE TABLE IF NOT EXISTS settings (
  name        VARCHAR(64)  NOT NULL PRIMARY KEY,
  value       VARCHAR(1024) NOT NULL,
  updated_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
