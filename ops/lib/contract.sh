# The API contract check: schemathesis (PyPI) over schemas/openapi.yaml against a live `canopy dev` on the
# private servers. Every answer must be documented, carry the documented content type and match its
# schema, and none may be a server error. Sourced by ops/test after servers_while_building.

SCHEMATHESIS_VERSION=4.32.5

# Installs schemathesis into .canopy/tools/venv once (pinned, so a new release cannot change a green run).
ensure_schemathesis() {
    local venv="$CANOPY_ROOT/.canopy/tools/venv"
    if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
        say "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
    fi
    SCHEMATHESIS="$venv/bin/schemathesis"
}

# contract_tests CANOPY-BINARY: exits non-zero when schemathesis finds anything.
contract_tests() {
    local canopy="$1" port log password="contract-password-1" status=0
    ensure_schemathesis
    port=$(free_port)
    log="$RUN/contract-server.log"
    say "serving on 127.0.0.1:$port for the contract check (log: $log)"
    CANOPY_PLATFORM_DOMAIN=127.0.0.1 CANOPY_PLATFORM_ADMIN_PASSWORD="$password" CANOPY_LOG_LEVEL=warning \
        "$canopy" dev --database-url "$CANOPY_DATABASE_URL" --amqp-url "$CANOPY_AMQP_URL" --port "$port" >"$log" 2>&1 &
    CONTRACT_PID=$!
    local deadline=$(( SECONDS + 60 ))
    until curl -fs "http://127.0.0.1:$port/ready" >/dev/null; do
        pid_alive "$CONTRACT_PID" || { tail -30 "$log" >&2; die "canopy dev exited before it was ready"; }
        [ $SECONDS -ge $deadline ] && { tail -30 "$log" >&2; die "canopy dev was not ready in 60 s"; }
        sleep 0.2
    done
    # Revoking sessions would end the run's own (schemathesis learns ids from answers): that one goes last.
    say "schemathesis over schemas/openapi.yaml"
    # Both logins first: the run itself tries logins enough to meet the per-address rate limit.
    local main last
    main=$(login "$port" "$password")
    last=$(login "$port" "$password")
    schemathesis_run "$port" "$main" --exclude-operation-id revokeSession || status=$?
    schemathesis_run "$port" "$last" --include-operation-id revokeSession || status=$?
    contract_server_stop
    if grep -q "internal" "$log"; then grep "internal\|request failed" "$log" | head -20 >&2; fi
    return "$status"
}

login() { # port password: the super admin's access token
    local token
    token=$(curl -fs -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$1/api/v1/auth/login" \
        -d "{\"email\": \"admin@canopy.test\", \"password\": \"$2\"}" | jq -r .access_token)
    [ -n "$token" ] && [ "$token" != null ] || die "could not log in as the super admin for the contract check"
    echo "$token"
}

schemathesis_run() { # port token [schemathesis options]
    local port="$1" token="$2"
    shift 2
    "$SCHEMATHESIS" run "$CANOPY_ROOT/schemas/openapi.yaml" --url "http://127.0.0.1:$port/api/v1" \
        -H "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --phases examples,coverage,fuzzing --max-examples 40 --seed 20261123 --workers 1 --no-color \
        --report junit --report-dir "${CONTRACT_REPORT_DIR:-$RUN/schemathesis}" "$@"
}

contract_server_stop() {
    [ -n "${CONTRACT_PID:-}" ] || return 0
    kill -INT "$CONTRACT_PID" 2>/dev/null || true
    wait_pid_gone "$CONTRACT_PID" 20 || kill -KILL "$CONTRACT_PID" 2>/dev/null || true
    wait "$CONTRACT_PID" 2>/dev/null || true
    CONTRACT_PID=""
}
