-- 002_accounts: users, API keys and refresh tokens (DESIGN.md sections 4, 8).
-- Secrets are never stored: API keys and refresh tokens as SHA-256 hex of
-- 32 random bytes, passwords as argon2id strings.
CREATE TABLE IF NOT EXISTS users (
  id                     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email                  VARCHAR(254) NOT NULL,
  username               VARCHAR(64)  NULL,
  full_name              VARCHAR(200) NULL,
  password_hash          VARCHAR(255) NOT NULL,
  role                   ENUM('user','viewer','operator','admin') NOT NULL DEFAULT 'user',
  is_active              TINYINT(1)   NOT NULL DEFAULT 1,
  max_concurrent_jobs    INT          NULL,
  daily_cost_cap_micros  BIGINT       NULL,
  created_at             DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at             DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_users_email (email),
  UNIQUE KEY uq_users_username (username),
  KEY ix_users_role_active (role, is_active)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS api_keys (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id       BIGINT UNSIGNED NOT NULL,
  name          VARCHAR(100) NOT NULL,
  prefix        VARCHAR(16)  NOT NULL,
  key_hash      CHAR(64)     CHARACTER SET ascii NOT NULL,
  created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_used_at  DATETIME(6)  NULL,
  expires_at    DATETIME(6)  NULL,
  revoked_at    DATETIME(6)  NULL,
  UNIQUE KEY uq_api_keys_hash (key_hash),
  KEY ix_api_keys_user (user_id, revoked_at),
  CONSTRAINT fk_api_keys_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A login starts a family; each refresh rotates within it. Presenting a
-- token that was already rotated revokes the whole family (theft).
CREATE TABLE IF NOT EXISTS refresh_tokens (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id       BIGINT UNSIGNED NOT NULL,
  family_id     CHAR(32)     CHARACTER SET ascii NOT NULL,
  token_hash    CHAR(64)     CHARACTER SET ascii NOT NULL,
  created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at    DATETIME(6)  NOT NULL,
  used_at       DATETIME(6)  NULL,
  revoked_at    DATETIME(6)  NULL,
  UNIQUE KEY uq_refresh_hash (token_hash),
  KEY ix_refresh_family (family_id),
  KEY ix_refresh_user (user_id),
  KEY ix_refresh_expires (expires_at),
  CONSTRAINT fk_refresh_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
