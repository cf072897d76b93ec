-- Snapshots of the identity view (README, "A gateway's start"). Every gateway folds the whole identity log
-- when it starts; with a snapshot it reads the newest one its own build wrote and folds only the events
-- after it. A snapshot is a cache: it holds the view folded up to `position`, which the log still holds
-- event by event (each bound to its account), so removing every row here loses nothing but start time.
--
-- `build` names the executable that wrote the snapshot (a hash of its bytes): another build may fold
-- events differently (a fixed bug, a new field), so it folds the log again rather than trust this fold.
CREATE TABLE identity_view_snapshots (
    build      text        NOT NULL,
    position   bigint      NOT NULL CHECK (position > 0),
    state      bytea       NOT NULL,
    taken_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (build, position)
);
