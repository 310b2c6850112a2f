-- 022_output_hash_optional: an output may be registered without its
-- SHA-256. kiln-run reads at most OUTPUTS_HASH_MAX bytes per job to hash
-- its outputs (a job can leave thousands of sparse 64 GiB files that cost
-- it no disk and would keep kiln-run hashing for days); the files past
-- that are registered, downloadable, with sha256 NULL.
ALTER TABLE job_outputs MODIFY sha256 CHAR(64) CHARACTER SET ascii NULL;
