-- Uploaded tenant logos, by their owner account (invariant 2) and the SHA-256 of their (sanitized) bytes:
-- immutable, one row per identical upload of an account. Brandings in the log refer to them by hash.
CREATE TABLE tenant_logos (
    account_id    uuid        NOT NULL,
    sha256        text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type  text        NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/svg+xml')),
    bytes         bytea       NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 524288),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, sha256)
);
