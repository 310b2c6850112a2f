-- 009_render: render jobs (a film from a text script): their config and
-- the moderation verdict taken at submit (DESIGN.md section 7).
ALTER TABLE jobs
  ADD COLUMN IF NOT EXISTS render_json MEDIUMTEXT NULL,
  ADD COLUMN IF NOT EXISTS moderation_status ENUM('approved','rejected') NULL,
  ADD COLUMN IF NOT EXISTS moderation_score DOUBLE NULL;
