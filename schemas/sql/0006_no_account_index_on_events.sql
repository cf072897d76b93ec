-- events (account_id, position) served no query: per-account reads go through projections (EventCatalog
-- for stats), and every reader of the log walks it by position or by stream. Each appended event paid an
-- insert into it, one of the four indexes behind most of append_events' cost per event (README,
-- Performance). A future reader by account adds the index it needs with the query that needs it.
DROP INDEX events_account_position;
