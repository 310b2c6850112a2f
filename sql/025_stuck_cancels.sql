-- 025_stuck_cancels: before 024, a job given up (its supervisor lost)
-- after its owner asked for its cancel went back to pending with
-- cancel_requested set, which no claim takes: such a job ends cancelled
-- now, with its event, as requeue.c ends them since. Pending jobs hold no
-- credits, so no money moves.
INSERT INTO job_events (job_id, from_status, to_status, reason)
  SELECT id, 'pending', 'cancelled', 'cancel requested' FROM jobs
  WHERE status = 'pending' AND cancel_requested = 1;
UPDATE jobs SET status = 'cancelled', finished_at = NOW(6)
  WHERE status = 'pending' AND cancel_requested = 1;
