-- Fan-out: the relay's checkpoint, the consumers' inbox, the projections' registry.

-- How far the relay has published, confirmed by the broker. One row per relay name; only the instance
-- holding the relay's advisory lock writes it, and it only moves forward.
CREATE TABLE relay_checkpoints (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_.-]{0,99}$'),
    position    bigint NOT NULL CHECK (position >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Every event a consumer has applied, written in the same transaction as the effect: a redelivered event
-- finds its row and has no second effect.
CREATE TABLE consumer_inbox (
    consumer    text NOT NULL,
    event_id    uuid NOT NULL,
    position    bigint NOT NULL,
    account_id  uuid NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX consumer_inbox_position ON consumer_inbox (consumer, position);

-- Each projection's live generation of tables (read through views named after the tables), how far it
-- has applied the log, and the position its last rebuild covered (events up to it are in the tables
-- whatever the inbox says).
CREATE TABLE projections (
    name             text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,39}$'),
    generation       integer NOT NULL CHECK (generation > 0),
    checkpoint       bigint NOT NULL DEFAULT 0 CHECK (checkpoint >= 0),
    rebuilt_through  bigint NOT NULL DEFAULT 0 CHECK (rebuilt_through >= 0),
    rebuilt_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
