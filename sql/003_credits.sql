-- 003_credits: the wallet (DESIGN.md sections 4 and 5). Money is BIGINT
-- micro-credits. users.balance_micros changes only in the transaction that
-- appends its wallet_ledger row (balance = SUM(ledger), kilnctl audit);
-- users.reserved_micros is the sum of the job holds not yet released.
ALTER TABLE users
  ADD COLUMN IF NOT EXISTS balance_micros  BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS reserved_micros BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users
  ADD CONSTRAINT IF NOT EXISTS ck_users_balance CHECK (balance_micros >= 0),
  ADD CONSTRAINT IF NOT EXISTS ck_users_reserved CHECK (reserved_micros >= 0);

-- Append-only: rows are never updated or deleted.
CREATE TABLE IF NOT EXISTS wallet_ledger (
  id                    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id               BIGINT UNSIGNED NOT NULL,
  type                  ENUM('topup','grant','charge','refund') NOT NULL,
  amount_micros         BIGINT NOT NULL,
  balance_after_micros  BIGINT NOT NULL,
  job_id                BIGINT UNSIGNED NULL,
  payment_reference     VARCHAR(128) NULL,
  description           VARCHAR(255) NULL,
  created_at            DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_ledger_payment (user_id, payment_reference),
  KEY ix_ledger_user (user_id, id),
  KEY ix_ledger_user_day (user_id, type, created_at),
  KEY ix_ledger_job (job_id),
  CONSTRAINT fk_ledger_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The credits reserved for a job about to run or running. amount is what
-- is still reserved; charges draw it down; release returns the rest.
CREATE TABLE IF NOT EXISTS job_holds (
  job_id          BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  user_id         BIGINT UNSIGNED NOT NULL,
  amount_micros   BIGINT NOT NULL,
  charged_micros  BIGINT NOT NULL DEFAULT 0,
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  released_at     DATETIME(6) NULL,
  KEY ix_holds_user (user_id, released_at),
  CONSTRAINT ck_holds_amount CHECK (amount_micros >= 0),
  CONSTRAINT fk_holds_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per ledger-API step (hold, charge, release) by its caller's key,
-- so a retried call returns the first result instead of acting twice.
CREATE TABLE IF NOT EXISTS ledger_steps (
  step_key        VARCHAR(128) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  job_id          BIGINT UNSIGNED NOT NULL,
  result_micros   BIGINT NOT NULL,
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_steps_job (job_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
