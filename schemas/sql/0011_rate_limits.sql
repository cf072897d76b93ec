-- Rate limits shared by every gateway (DESIGN, scale-out: gateways scale horizontally). Limits kept in each
-- process's memory multiplied with the number of gateways: behind two, a password could be tried twice as
-- often. Here, a sliding window per (bucket, key): the times of the attempts counted within the window.
-- Keys are hashed by the gateway (an address, an email, a phone never appear here), and times are this
-- server's clock, the one clock every gateway shares.
CREATE TABLE rate_limit_hits (
    bucket      text          NOT NULL,
    key_hash    text          NOT NULL,
    hits        timestamptz[] NOT NULL,
    -- When the last counted attempt leaves the window: the row says nothing after that.
    expires_at  timestamptz   NOT NULL,
    PRIMARY KEY (bucket, key_hash)
);
CREATE INDEX rate_limit_hits_expires_at ON rate_limit_hits (expires_at);

-- Counts one attempt against each (bucket, key) in order, each with its limit within its window (ms), and
-- stops at the first that is full: that one and those after it count nothing. True when none was full.
-- Rows are locked in the order given, and every caller gives its buckets in a fixed order, so two calls
-- never wait on each other in a cycle. Each call also removes up to 10 expired rows nobody is using,
-- so the table holds about the last window's traffic without a sweeper of its own.
CREATE FUNCTION rate_limit_attempt(p_buckets text[], p_key_hashes text[], p_limits integer[], p_windows_ms bigint[])
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    v_now    timestamptz := clock_timestamp();
    v_window interval;
    v_hits   timestamptz[];
BEGIN
    IF cardinality(p_key_hashes) <> cardinality(p_buckets) OR cardinality(p_limits) <> cardinality(p_buckets)
       OR cardinality(p_windows_ms) <> cardinality(p_buckets) OR 1 > ANY (p_limits) OR 1 > ANY (p_windows_ms) THEN
        RAISE EXCEPTION 'rate_limit_attempt: arrays must agree, limits and windows be positive' USING ERRCODE = '22023';
    END IF;
    DELETE FROM rate_limit_hits WHERE (bucket, key_hash) IN (
        SELECT bucket, key_hash FROM rate_limit_hits WHERE expires_at < v_now LIMIT 10 FOR UPDATE SKIP LOCKED);
    FOR i IN 1 .. coalesce(cardinality(p_buckets), 0) LOOP
        v_window := p_windows_ms[i] * interval '1 millisecond';
        -- Inserts the row or locks the existing one, atomically (a row removed meanwhile is inserted anew).
        INSERT INTO rate_limit_hits AS r (bucket, key_hash, hits, expires_at)
        VALUES (p_buckets[i], p_key_hashes[i], '{}', v_now)
        ON CONFLICT (bucket, key_hash) DO UPDATE SET hits = r.hits
        RETURNING r.hits INTO v_hits;
        v_hits := ARRAY(SELECT h FROM unnest(v_hits) AS h WHERE h > v_now - v_window ORDER BY h);
        IF cardinality(v_hits) >= p_limits[i] THEN
            UPDATE rate_limit_hits SET hits = v_hits, expires_at = v_hits[cardinality(v_hits)] + v_window
             WHERE bucket = p_buckets[i] AND key_hash = p_key_hashes[i];
            RETURN false;
        END IF;
        UPDATE rate_limit_hits SET hits = v_hits || v_now, expires_at = v_now + v_window
         WHERE bucket = p_buckets[i] AND key_hash = p_key_hashes[i];
    END LOOP;
    RETURN true;
END
$$;
