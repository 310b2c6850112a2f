-- 020_node_up_since: since when each node's scheduler has ticked without a
-- gap. The reaper requeues a job whose supervisor has been silent for
-- job_lost_seconds, but silence during a database outage proves nothing:
-- no supervisor could write then. A node therefore reaps only once it has
-- itself reached the database without a gap for job_lost_seconds, so that
-- after an outage every live supervisor (kiln-run retries its writes for
-- up to 10 minutes) has written its heartbeat or its end first. A gap is
-- a heartbeat more than max(5, job_lost_seconds / 3) seconds after the
-- one before (node_upsert; each tick also touches the heartbeat when it
-- ends, so a long claim is no gap); the first heartbeat starts it too.
ALTER TABLE nodes ADD COLUMN IF NOT EXISTS up_since DATETIME(6) NOT NULL
  DEFAULT CURRENT_TIMESTAMP(6) AFTER heartbeat_at;
