-- 004_prices_limits: what things cost, and the site-wide limits admins set
-- at run time. Prices are micro-credits per unit; the render defaults make
-- 10 images + 30 s of video with voice and music cost 0.20 + 1.50 + 0.45 +
-- 0.30 + 0.03 = 2.48 credits. Global limits live in settings
-- (limits.max_concurrent_jobs, limits.daily_cost_cap_micros,
-- limits.max_job_cost_micros); absent keys fall back to kiln.conf [limits].
CREATE TABLE IF NOT EXISTS prices (
  name             VARCHAR(64)  NOT NULL PRIMARY KEY,
  unit             VARCHAR(32)  NOT NULL,
  micros_per_unit  BIGINT       NOT NULL,
  description      VARCHAR(255) NOT NULL,
  updated_at       DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT ck_prices_nonneg CHECK (micros_per_unit >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO prices (name, unit, micros_per_unit, description) VALUES
  ('gpu_second',        'second', 500,   'one GPU for one second (1.80 credits an hour)'),
  ('cpu_second',        'second', 20,    'one CPU core for one second'),
  ('memory_gb_second',  'second', 2,     'one GiB of memory for one second'),
  ('image_generation',  'image',  20000, 'one generated scene image'),
  ('video_generation',  'second', 50000, 'one second of rendered video'),
  ('voice_synthesis',   'second', 15000, 'one second of video with voice'),
  ('music_synthesis',   'second', 10000, 'one second of video with music'),
  ('ffmpeg_processing', 'second', 1000,  'one second of encoding and muxing');
