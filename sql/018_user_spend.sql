-- 018_user_spend: what each user was charged each day (UTC, as sessions
-- run at +00:00), kept by the ledger in the transaction of every charge.
-- The daily cost cap reads today's figure for each waiting user on every
-- tick; summing the day's charge rows instead cost a range scan per user
-- (a job billed once a minute leaves 1 440 rows a day): 350 ms a tick at
-- 100 rows a user for 1 000 users. kilnctl audit checks it against the
-- ledger. Rebuilt from the ledger, so running this again changes nothing.
CREATE TABLE IF NOT EXISTS user_spend (
  user_id         BIGINT UNSIGNED NOT NULL,
  day             DATE            NOT NULL,
  charged_micros  BIGINT          NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, day),
  CONSTRAINT fk_user_spend_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO user_spend (user_id, day, charged_micros)
  SELECT user_id, DATE(created_at), -SUM(amount_micros) FROM wallet_ledger
   WHERE type = 'charge' GROUP BY user_id, DATE(created_at)
  ON DUPLICATE KEY UPDATE charged_micros = VALUES(charged_micros);
