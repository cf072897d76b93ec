-- An append batch commits inside the one call that writes it.
--
-- An autocommit statement's rows reach the client before its commit, which can still fail (README, event
-- log), so each batch ran as BEGIN / append_events / COMMIT: three round trips, with the log head's row lock
-- (taken by append_events, held to commit) held across the last one, while the next batch waits for it.
-- A procedure may commit before it answers: its outcomes come back only once COMMIT has succeeded, in one
-- round trip, and the head is free as soon as the commit is. With p_all_or_none, any refusal rolls the
-- whole batch back instead (the caller then reads the refusals from the outcomes).
--
-- Outcomes come back as arrays, one element per append in order; -1 stands for "none" in the numbers.
CREATE PROCEDURE append_events_committed(
    p_streams          text[],
    p_accounts         uuid[],
    p_expected         bigint[],
    p_keys             text[],
    p_counts           integer[],
    p_event_ids        uuid[],
    p_types            text[],
    p_schema_versions  integer[],
    p_data             text[],
    p_metadata         text[],
    p_all_or_none      boolean,
    INOUT o_outcome    text[]   DEFAULT NULL,
    INOUT o_first      bigint[] DEFAULT NULL,
    INOUT o_last       bigint[] DEFAULT NULL,
    INOUT o_version    bigint[] DEFAULT NULL,
    INOUT o_current    bigint[] DEFAULT NULL
) LANGUAGE plpgsql AS $$
BEGIN
    SELECT array_agg(a.outcome ORDER BY a.append_index),
           array_agg(coalesce(a.first_position, -1) ORDER BY a.append_index),
           array_agg(coalesce(a.last_position, -1) ORDER BY a.append_index),
           array_agg(coalesce(a.stream_version, -1) ORDER BY a.append_index),
           array_agg(coalesce(a.current_version, -1) ORDER BY a.append_index)
      INTO o_outcome, o_first, o_last, o_version, o_current
      FROM append_events(p_streams, p_accounts, p_expected, p_keys, p_counts, p_event_ids, p_types,
                         p_schema_versions, p_data, p_metadata) AS a;
    IF p_all_or_none AND EXISTS (SELECT 1 FROM unnest(o_outcome) AS o WHERE o NOT IN ('appended', 'duplicate')) THEN
        ROLLBACK;
    ELSE
        COMMIT;
    END IF;
END;
$$;
