-- 012_job_files: jobs submitted with files (multipart POST /jobs and the
-- sharded CSV of POST /jobs/upload). image is the docker_image asked for,
-- image_root what [sandbox] images resolved it to ('host' or a directory);
-- inputs_json lists the files under jobs/ID/input/ as
-- [{"field", "name", "size_bytes", "sha256"}]. A job without files has NULLs.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS image VARCHAR(255) NULL;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS image_root VARCHAR(512) NULL;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS inputs_json TEXT NULL;
