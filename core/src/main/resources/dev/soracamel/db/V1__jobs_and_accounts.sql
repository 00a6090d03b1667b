-- The shared job repository (PgJobRepository). The job's and the account's full records are the JSON bodies;
-- the other columns are copies of the fields the queries filter and sort on, written from the body at every
-- write, so that no query has to look inside the JSON.

-- Acceptance order across every pipeline on the database: only the order within a pipeline matters.
CREATE SEQUENCE sora_job_seq;

CREATE TABLE sora_job (
    pipeline            text        NOT NULL,
    request_id          text        NOT NULL,
    seq                 bigint      NOT NULL,
    -- compare-and-set: every write is "where version = the version the writer read"
    version             bigint      NOT NULL,
    account             text,
    provider            text,
    state               text        NOT NULL
        CHECK (state IN ('QUEUED', 'SUBMITTING', 'POLLING', 'DOWNLOADING', 'STORING', 'STORED', 'DEAD')),
    -- queue order: resubmits after a provider time-out (0) before the rest (1), then seq
    priority            smallint    NOT NULL,
    next_check_at       timestamptz,
    slot_held_until     timestamptz,
    claim_until         timestamptz,
    dead_letter_written boolean     NOT NULL,
    notify_pending      boolean     NOT NULL,
    -- stored_at or dead_at of a final job, for retention
    ended_at            timestamptz,
    -- the last time the job committed spend, for the budgets
    last_charge_at      timestamptz,
    body                jsonb       NOT NULL,
    PRIMARY KEY (pipeline, request_id)
);

-- The account's queue, and its slot count (the (account, state) prefix counts across pipelines).
CREATE INDEX sora_job_queue_idx ON sora_job (account, state, pipeline, priority, seq);
-- The account's next due status check.
CREATE INDEX sora_job_poll_idx ON sora_job (account, pipeline, next_check_at NULLS FIRST, seq)
    WHERE state = 'POLLING';
-- Jobs that left while the provider may still run their task: they count against the slots until then.
CREATE INDEX sora_job_phantom_idx ON sora_job (account, slot_held_until)
    WHERE slot_held_until IS NOT NULL;
-- Views (most recent first) and the pipeline's own scans.
CREATE INDEX sora_job_pipeline_seq_idx ON sora_job (pipeline, seq);
-- Orphans: the same predicate as JobRepository.hasStepLeft, so the scan never reads the finished majority.
CREATE INDEX sora_job_step_left_idx ON sora_job (pipeline, seq)
    WHERE state IN ('SUBMITTING', 'DOWNLOADING', 'STORING') OR (state = 'DEAD' AND NOT dead_letter_written) OR notify_pending;
-- Work not done yet (idle(), and views of unfinished jobs): the finished majority is never read for them.
CREATE INDEX sora_job_unfinished_idx ON sora_job (pipeline, seq)
    WHERE state NOT IN ('STORED', 'DEAD') OR (state = 'DEAD' AND NOT dead_letter_written);
CREATE INDEX sora_job_ended_idx ON sora_job (pipeline, ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX sora_job_charge_idx ON sora_job (pipeline, last_charge_at) WHERE last_charge_at IS NOT NULL;

-- One row per provider account (a token at a base URL), shared by every pipeline that uses the account: its
-- slots are counted over all their jobs and its call spacing holds for all of them. A transaction that decides
-- a spend holds the row's lock (SELECT ... FOR UPDATE) from its first read to its commit.
CREATE TABLE sora_account (
    account_key text        PRIMARY KEY,
    body        jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Rows that exist only to be locked: 'budgets/<pipeline>' serialises the submits that a pipeline's budgets
-- check, across its accounts, so that two accounts cannot each spend the last of one budget.
CREATE TABLE sora_lock (
    name text PRIMARY KEY
);
