-- The operator page polls one state's newest jobs (dead letters, jobs polling) every few seconds, paged by seq:
-- without this index such a page walks the pipeline's jobs newest first past every job of the other states.
CREATE INDEX sora_job_state_seq_idx ON sora_job (pipeline, state, seq);
