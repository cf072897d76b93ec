-- The append path's cost inside PostgreSQL, continued (README, Performance).
--
-- 1. The set-based path looked its streams up with `stream = ANY (p_streams)`. With a generic plan the
--    planner cannot see how few names the array holds, so it read the whole of event_streams and hashed it:
--    a fifth of the server's time in the commands benchmark, and a cost that grows with every stream ever
--    created. Each stream is now found through the primary key, the lookups taken in name order as before
--    (so the row locks still come in one global order).
--
-- 2. The stream name check moves from events to event_streams. Every event's stream has a row there,
--    written by append_events before any of its events, so each name is still checked before any event of
--    its stream is written, once per stream instead of once per event (the check cost ≈8 µs an event,
--    a third of inserting one).
ALTER TABLE event_streams ADD CONSTRAINT event_streams_stream_check CHECK (
    length(stream) BETWEEN 38 AND 85
    AND substr(stream, length(stream) - 36, 1) = '-'
    AND left(stream, 1) COLLATE "C" BETWEEN 'a' AND 'z'
    AND translate(left(stream, -37), 'abcdefghijklmnopqrstuvwxyz0123456789_', '') = ''
    AND translate(right(stream, 36), '123456789abcdef', '000000000000000') = '00000000-0000-0000-0000-000000000000'
);
ALTER TABLE events DROP CONSTRAINT events_stream_check;

CREATE OR REPLACE FUNCTION append_events(
    p_streams          text[],
    p_accounts         uuid[],
    p_expected         bigint[],   -- -1: any version; 0: the stream must not exist yet; n: exactly n
    p_keys             text[],     -- '' when the append has no idempotency key
    p_counts           integer[],
    p_event_ids        uuid[],
    p_types            text[],
    p_schema_versions  integer[],
    p_data             text[],
    p_metadata         text[]
) RETURNS TABLE (
    append_index    integer,
    outcome         text,
    first_position  bigint,
    last_position   bigint,
    stream_version  bigint,
    current_version bigint
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan   -- as 0005 set it: CREATE OR REPLACE resets a function's settings
AS $$
DECLARE
    n            integer := coalesce(cardinality(p_streams), 0);
    v_outcome    text[]   := array_fill('pending'::text, ARRAY[n]);
    v_hashes     text[];
    v_first      bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    v_last       bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    v_version    bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    v_current    bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    v_base       bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    v_event_append integer[];
    v_has_keys   boolean;
    i            integer;
    v_stream_ver bigint;
    v_stream_acc uuid;
    v_total      bigint := 0;
    v_head       bigint;
    v_running    bigint;
    v_key        record;
    v_prior      record;
    v_found_ver  bigint[];
    v_found_acc  uuid[];
    v_created    boolean[];
    v_retry      integer[] := '{}';
    v_set_based  boolean;
    v_order      integer[];
    v_data       jsonb[];
    v_metadata   jsonb[];
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    IF cardinality(p_accounts) <> n OR cardinality(p_expected) <> n OR cardinality(p_keys) <> n
       OR cardinality(p_counts) <> n OR 0 >= ANY (p_counts) OR cardinality(p_event_ids) <> (SELECT sum(c) FROM unnest(p_counts) c)
       OR cardinality(p_types) <> cardinality(p_event_ids) OR cardinality(p_schema_versions) <> cardinality(p_event_ids)
       OR cardinality(p_data) <> cardinality(p_event_ids) OR cardinality(p_metadata) <> cardinality(p_event_ids) THEN
        RAISE EXCEPTION 'append_events: array lengths do not agree' USING ERRCODE = '22023';
    END IF;
    v_has_keys := array_remove(p_keys, '') <> '{}'::text[];

    -- Phase 1: idempotency keys. What a retry must match: stream, expectation, and each event's type,
    -- schema version and data (event ids and metadata differ between retries by design).
    -- Which append each event belongs to (events are grouped by append, in order). A lone append, the common
    -- case at low load, needs no query for it.
    IF n = 1 THEN
        v_event_append := array_fill(1, ARRAY[p_counts[1]]);
    ELSE
        SELECT array_agg(g.a ORDER BY g.a) INTO v_event_append
          FROM generate_series(1, n) AS g(a), generate_series(1, p_counts[g.a]);
    END IF;

    IF v_has_keys THEN
        SELECT array_agg(h ORDER BY a) INTO v_hashes
        FROM (SELECT g.a,
                     CASE WHEN p_keys[g.a] = '' THEN '' ELSE encode(sha256(convert_to(
                         p_streams[g.a] || E'\x1f' || p_expected[g.a]::text || E'\x1f' ||
                         (SELECT string_agg(p_types[o] || E'\x1e' || p_schema_versions[o]::text
                                            || E'\x1e' || p_data[o]::jsonb::text, E'\x1d' ORDER BY o)
                            FROM generate_subscripts(p_event_ids, 1) AS o
                           WHERE v_event_append[o] = g.a),
                         'UTF8')), 'hex') END AS h
              FROM generate_series(1, n) AS g(a)) AS hashed;

        FOR v_key IN
            SELECT k.a FROM generate_series(1, n) AS k(a)
            WHERE p_keys[k.a] <> '' ORDER BY p_accounts[k.a], p_keys[k.a], k.a
        LOOP
            i := v_key.a;
            INSERT INTO idempotency_keys (account_id, key, request_hash, stream)
            VALUES (p_accounts[i], p_keys[i], v_hashes[i], p_streams[i])
            ON CONFLICT DO NOTHING;
            IF NOT FOUND THEN
                -- The key was used by a committed transaction (we waited for it if it was in flight).
                SELECT ik.request_hash, ik.first_position, ik.last_position, ik.stream_version
                  INTO v_prior
                  FROM idempotency_keys ik
                 WHERE ik.account_id = p_accounts[i] AND ik.key = p_keys[i];
                IF v_prior.first_position IS NULL THEN
                    RAISE EXCEPTION 'append_events: idempotency key used twice in one batch' USING ERRCODE = '22023';
                ELSIF v_prior.request_hash <> v_hashes[i] THEN
                    v_outcome[i] := 'idempotency_key_reused';
                ELSE
                    v_outcome[i] := 'duplicate';
                    v_first[i] := v_prior.first_position;
                    v_last[i] := v_prior.last_position;
                    v_version[i] := v_prior.stream_version;
                END IF;
            END IF;
        END LOOP;
    END IF;

    -- Phase 2: streams, locked in name order; each append checks its own expectation.
    -- Set-based for batches of distinct streams; a few appends are cheaper one by one (one UPDATE each).
    v_set_based := n > 3 AND (SELECT count(DISTINCT st) FROM unnest(p_streams) AS st) = n;
    IF v_set_based THEN
        -- Every append has a stream of its own (the batches group commit makes): a fixed number of
        -- statements whatever the batch size. Existing streams are locked in name order (a lock writes no
        -- new row version), each found through the primary key; new ones are inserted at their final
        -- version; one UPDATE moves the others.
        SELECT array_agg(l.version ORDER BY k.a), array_agg(l.account_id ORDER BY k.a)
          INTO v_found_ver, v_found_acc
          FROM (SELECT g.a FROM generate_series(1, n) AS g(a) ORDER BY p_streams[g.a]) AS k(a)
          LEFT JOIN LATERAL (SELECT s.version, s.account_id FROM event_streams s
                              WHERE s.stream = p_streams[k.a] FOR UPDATE) AS l ON true;

        -- New streams: created now when the append expects none (or any); "created" marks the inserted ones.
        WITH inserted AS (
            INSERT INTO event_streams (stream, account_id, version)
            SELECT p_streams[k.a], p_accounts[k.a], p_counts[k.a]
              FROM generate_series(1, n) AS k(a)
             WHERE v_outcome[k.a] = 'pending' AND v_found_ver[k.a] IS NULL AND p_expected[k.a] IN (-1, 0)
             ORDER BY p_streams[k.a]
            ON CONFLICT DO NOTHING
            RETURNING stream
        )
        SELECT array_agg(i.stream IS NOT NULL ORDER BY k.a) INTO v_created
          FROM generate_series(1, n) AS k(a) LEFT JOIN inserted AS i ON i.stream = p_streams[k.a];

        FOR i IN 1 .. n LOOP
            CONTINUE WHEN v_outcome[i] <> 'pending';
            IF v_created[i] THEN
                v_outcome[i] := 'appended';
                v_base[i] := 0;
            ELSIF v_found_ver[i] IS NULL THEN
                IF p_expected[i] IN (-1, 0) THEN
                    -- Created by a concurrent writer after we looked: decide it with the per-append path below.
                    v_retry := v_retry || i;
                    CONTINUE;
                END IF;
                v_outcome[i] := 'version_conflict';
                v_current[i] := 0;
            ELSIF v_found_acc[i] <> p_accounts[i] THEN
                v_outcome[i] := 'stream_account_mismatch';
            ELSIF p_expected[i] <> -1 AND p_expected[i] <> v_found_ver[i] THEN
                v_outcome[i] := 'version_conflict';
                v_current[i] := v_found_ver[i];
            ELSE
                v_outcome[i] := 'appended';
                v_base[i] := v_found_ver[i];
            END IF;
            IF v_outcome[i] = 'appended' THEN
                v_version[i] := v_base[i] + p_counts[i];
                v_total := v_total + p_counts[i];
            END IF;
        END LOOP;

        UPDATE event_streams s SET version = v_version[k.a]
          FROM generate_series(1, n) AS k(a)
         WHERE v_outcome[k.a] = 'appended' AND NOT v_created[k.a] AND s.stream = p_streams[k.a];
        IF v_has_keys THEN
            -- A refused append does not consume its key: the client may fix and retry.
            DELETE FROM idempotency_keys ik
             USING generate_series(1, n) AS k(a)
             WHERE v_outcome[k.a] IN ('version_conflict', 'stream_account_mismatch') AND p_keys[k.a] <> ''
               AND ik.account_id = p_accounts[k.a] AND ik.key = p_keys[k.a];
        END IF;
    END IF;

    IF v_retry <> '{}' OR NOT v_set_based THEN
        -- Some stream takes several appends of this batch, or a stream appeared while we looked: decide
        -- those one by one, in stream order.
        IF n = 1 THEN
            v_order := ARRAY[1];
        ELSE
            SELECT array_agg(k.a ORDER BY p_streams[k.a], k.a) INTO v_order FROM generate_series(1, n) AS k(a);
        END IF;
        FOREACH i IN ARRAY v_order LOOP
            CONTINUE WHEN v_outcome[i] <> 'pending';
            LOOP
                UPDATE event_streams s SET version = s.version + p_counts[i]
                 WHERE s.stream = p_streams[i] AND s.account_id = p_accounts[i]
                   AND (p_expected[i] = -1 OR s.version = p_expected[i])
                RETURNING s.version - p_counts[i] INTO v_stream_ver;   -- (an array element cannot be an INTO target)
                IF FOUND THEN
                    v_base[i] := v_stream_ver;
                    EXIT;
                END IF;
                IF p_expected[i] IN (-1, 0) THEN
                    INSERT INTO event_streams (stream, account_id, version)
                    VALUES (p_streams[i], p_accounts[i], p_counts[i])
                    ON CONFLICT DO NOTHING;
                    IF FOUND THEN
                        v_base[i] := 0;
                        EXIT;
                    END IF;
                END IF;
                SELECT s.version, s.account_id INTO v_stream_ver, v_stream_acc
                  FROM event_streams s WHERE s.stream = p_streams[i] FOR UPDATE;
                IF NOT FOUND THEN
                    v_outcome[i] := 'version_conflict';   -- expected n >= 1 of a stream that does not exist
                    v_current[i] := 0;
                ELSIF v_stream_acc <> p_accounts[i] THEN
                    v_outcome[i] := 'stream_account_mismatch';
                ELSIF p_expected[i] <> -1 AND p_expected[i] <> v_stream_ver THEN
                    v_outcome[i] := 'version_conflict';
                    v_current[i] := v_stream_ver;
                ELSE
                    CONTINUE;   -- created by a concurrent writer while we looked: now the UPDATE applies
                END IF;
                EXIT;
            END LOOP;

            IF v_outcome[i] = 'pending' THEN
                v_outcome[i] := 'appended';
                v_version[i] := v_base[i] + p_counts[i];
                v_total := v_total + p_counts[i];
            ELSIF p_keys[i] <> '' THEN
                -- A refused append does not consume its key: the client may fix and retry.
                DELETE FROM idempotency_keys ik WHERE ik.account_id = p_accounts[i] AND ik.key = p_keys[i];
            END IF;
        END LOOP;
    END IF;

    -- Phase 3: positions, under the head row lock held until commit. Everything that can happen before
    -- taking it does (parsing the JSON, above all): time under the lock is time no other append can commit.
    IF v_total > 0 THEN
        v_data := p_data::jsonb[];
        v_metadata := p_metadata::jsonb[];
        UPDATE event_log_head SET position = position + v_total RETURNING position - v_total INTO v_head;

        v_running := v_head;
        FOR i IN 1 .. n LOOP
            IF v_outcome[i] = 'appended' THEN
                v_first[i] := v_running + 1;
                v_running := v_running + p_counts[i];
                v_last[i] := v_running;
            END IF;
        END LOOP;

        INSERT INTO events (position, event_id, account_id, stream, stream_version, type, schema_version,
                            data, metadata, recorded_at)
        SELECT v_head + row_number() OVER (ORDER BY e.o),
               e.id, p_accounts[e.a], p_streams[e.a],
               v_base[e.a] + row_number() OVER (PARTITION BY e.a ORDER BY e.o),
               e.t, e.sv, e.d, e.m, clock_timestamp()
          FROM unnest(v_event_append, p_event_ids, p_types, p_schema_versions, v_data, v_metadata)
               WITH ORDINALITY AS e(a, id, t, sv, d, m, o)
         WHERE v_outcome[e.a] = 'appended';

        IF v_has_keys THEN
            UPDATE idempotency_keys ik
               SET first_position = v_first[k.a], last_position = v_last[k.a], stream_version = v_version[k.a]
              FROM generate_series(1, n) AS k(a)
             WHERE v_outcome[k.a] = 'appended' AND p_keys[k.a] <> ''
               AND ik.account_id = p_accounts[k.a] AND ik.key = p_keys[k.a];
        END IF;

        PERFORM pg_notify('canopy_events', v_running::text);
    END IF;

    RETURN QUERY
        SELECT g.a, v_outcome[g.a], v_first[g.a], v_last[g.a], v_version[g.a], v_current[g.a]
          FROM generate_series(1, n) AS g(a);
END;
$$;
