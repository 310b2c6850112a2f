-- 023_training_jobs: jobs of kind training (POST /training/jobs): a
-- trainer from [training] trainers run with the job's config
ALTER TABLE jobs MODIFY kind ENUM('command','script','render','shard','training') NOT NULL;
