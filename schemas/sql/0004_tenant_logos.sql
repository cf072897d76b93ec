-- Uploaded tenant logos, by the SHA-256 of their (sanitized) bytes: immutable, shared when identical.
-- Brandings in the log refer to them by hash; the bytes stay out of the log.
CREATE TABLE tenant_logos (
    sha256        text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type  text        NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/svg+xml')),
    bytes         bytea       NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 524288),
    created_at    timestamptz NOT NULL DEFAULT now()
);
