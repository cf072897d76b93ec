-- HTTP writes sent with an Idempotency-Key (the API's, one level above the log's own idempotency_keys,
-- which make a single append replayable): the first request claims the key (status NULL while it runs), its
-- successful reply is kept, and a repeat within a day gets that reply instead of a second effect.
CREATE TABLE request_replies (
    -- The account the caller acted in: the reply is that account's data (invariant 2).
    account_id    uuid        NOT NULL,
    scope         text        NOT NULL,
    key           text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash  text        NOT NULL,
    status        integer,
    body          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX request_replies_created_at ON request_replies (created_at);
