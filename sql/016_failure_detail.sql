-- 016_failure_detail: a failed job's own words. failure_reason stays a
-- short code (exit_code, timeout, unknown_voice, no_font, ...); the line a
-- job wrote to $KILN_FAILURE_FILE (kiln-render always does) is kept here.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS failure_detail VARCHAR(255) NULL;
