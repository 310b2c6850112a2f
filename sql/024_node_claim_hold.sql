-- 024_node_claim_hold: a node whose kiln-run could not make a job's folder
-- (its storage is broken) claims nothing until this time, so that it does
-- not take one job after another and fail them all
ALTER TABLE nodes ADD COLUMN claim_hold_until DATETIME(6) NULL;
