-- 006_idempotency: Idempotency-Key on POST routes (Work intake): the first
-- answer to a key is kept for 24 hours and replayed for the same request;
-- status 0 marks a request still being processed.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  user_id       BIGINT UNSIGNED NOT NULL,
  idem_key      VARCHAR(255) NOT NULL,
  request_hash  CHAR(64)     CHARACTER SET ascii NOT NULL,
  status        INT          NOT NULL DEFAULT 0,
  response      MEDIUMTEXT   NULL,
  created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (user_id, idem_key),
  KEY ix_idem_created (created_at),
  CONSTRAINT fk_idem_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
