# Private PostgreSQL 15 and RabbitMQ 3.10 servers for dev, tests, CI and benchmarks.
# Sourced by the ops/ scripts. Everything lives under one folder; everything listens on 127.0.0.1 only;
# every process we start is stopped by the PID we recorded, never by name.

CANOPY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN=/usr/lib/postgresql/15/bin
RABBIT_BIN=/usr/lib/rabbitmq/bin

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the Debian packages Canopy needs when any is missing. apt does not start services here
# (and we would not want it to): the servers below are our own.
ensure_packages() { # [extra package ...]
    local wanted=(postgresql-15 postgresql-contrib rabbitmq-server librabbitmq-dev pkg-config iproute2 util-linux curl jq python3-venv "$@")
    local missing=() p
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# A TCP port nobody listens on, in a range clear of the RabbitMQ distribution offset trap (port + 20000).
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$(( 20000 + RANDOM % 20000 ))
        if [ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then echo "$p"; return 0; fi
    done
    die "no free port found"
}

wait_for_port() { # port seconds
    local deadline=$(( SECONDS + $2 ))
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}

# PostgreSQL ------------------------------------------------------------------------------------------

pg_as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# pg_start DIR: creates the cluster on first use (reused afterwards) and starts it.
# Sets PG_PORT and CANOPY_DATABASE_URL (database "canopy").
pg_start() {
    local dir="$1"
    mkdir -p "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        rm -rf "$dir/data" && mkdir -p "$dir/data" "$dir/run"
        head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/password"
        chmod 600 "$dir/password"
        cp "$dir/password" "$dir/data.pwfile"
        if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir/data" "$dir/run" "$dir/data.pwfile"; fi
        chmod 700 "$dir/data"
        pg_as_owner "$PG_BIN/initdb" -D "$dir/data" -U canopy --pwfile="$dir/data.pwfile" \
            --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
        rm -f "$dir/data.pwfile"
        cat >> "$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
max_connections = 300
shared_buffers = 256MB
wal_buffers = 16MB
max_wal_size = 2GB
EOF
    fi
    if [ -f "$dir/data/postmaster.pid" ] && pid_alive "$(head -1 "$dir/data/postmaster.pid")"; then
        # Already running (its port is line 4 of postmaster.pid): reuse it rather than start a second one.
        PG_PORT=$(sed -n 4p "$dir/data/postmaster.pid")
    else
        PG_PORT=$(cat "$dir/port" 2>/dev/null || true)
        # A port only in TIME_WAIT after a restart is still ours to listen on: look at listeners only.
        if [ -z "$PG_PORT" ] || [ -n "$(ss -Htln "( sport = :$PG_PORT )" 2>/dev/null)" ]; then
            PG_PORT=$(free_port); echo "$PG_PORT" > "$dir/port"
        fi
        touch "$dir/postgres.log"
        if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir/postgres.log"; fi
        pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
            -o "-p $PG_PORT" start >/dev/null || { tail -20 "$dir/postgres.log" >&2; die "postgres did not start"; }
    fi
    local pw; pw=$(cat "$dir/password")
    export PGPASSWORD="$pw"
    if ! psql -h 127.0.0.1 -p "$PG_PORT" -U canopy -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='canopy'" | grep -q 1; then
        psql -h 127.0.0.1 -p "$PG_PORT" -U canopy -d postgres -qc "CREATE DATABASE canopy" >/dev/null
    fi
    CANOPY_DATABASE_URL="postgres://canopy:$pw@127.0.0.1:$PG_PORT/canopy"
    export PG_PORT CANOPY_DATABASE_URL
    say "postgres on 127.0.0.1:$PG_PORT (pid $(head -1 "$dir/data/postmaster.pid"), data $dir/data)"
}

pg_stop() {
    local dir="$1"
    [ -f "$dir/data/postmaster.pid" ] || return 0
    # pg_ctl signals the PID recorded in postmaster.pid and waits for it to exit.
    pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

# RabbitMQ --------------------------------------------------------------------------------------------

rabbit_env() { # dir: exports the environment both the server and rabbitmqctl need
    local dir="$1"
    export HOME="$dir/home"
    export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log"
    export RABBITMQ_PID_FILE="$dir/rabbit.pid" RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
    export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    export RABBITMQ_NODENAME="canopy-$RABBIT_PORT@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$RABBIT_PORT" RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT"
    export ERL_EPMD_PORT="$RABBIT_EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

# rabbit_start DIR: sets RABBIT_PORT and CANOPY_AMQP_URL. Runs in a subshell-safe way: the caller's HOME
# is restored afterwards.
rabbit_start() {
    local dir="$1" saved_home="$HOME"
    mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
    RABBIT_PORT="" RABBIT_DIST_PORT="" RABBIT_EPMD_PORT=""
    read -r RABBIT_PORT RABBIT_DIST_PORT RABBIT_EPMD_PORT 2>/dev/null < "$dir/ports" || true
    if [ -n "$RABBIT_PORT" ] && pid_alive "$(cat "$dir/rabbit.pid" 2>/dev/null)"; then
        export HOME="$saved_home"
        CANOPY_AMQP_URL="amqp://guest:guest@127.0.0.1:$RABBIT_PORT/%2f"
        export RABBIT_PORT RABBIT_DIST_PORT RABBIT_EPMD_PORT CANOPY_AMQP_URL
        say "rabbitmq already running on 127.0.0.1:$RABBIT_PORT (pid $(cat "$dir/rabbit.pid"))"
        return 0
    fi
    local p busy=""
    for p in $RABBIT_PORT $RABBIT_DIST_PORT $RABBIT_EPMD_PORT; do
        [ -n "$(ss -Htln "( sport = :$p )" 2>/dev/null)" ] && busy=1
    done
    if [ -z "${RABBIT_PORT:-}" ] || [ -n "$busy" ]; then
        RABBIT_PORT=$(free_port); RABBIT_DIST_PORT=$(free_port); RABBIT_EPMD_PORT=$(free_port)
        echo "$RABBIT_PORT $RABBIT_DIST_PORT $RABBIT_EPMD_PORT" > "$dir/ports"
        rm -rf "$dir/mnesia" && mkdir -p "$dir/mnesia"   # the node name embeds the port
    fi
    [ -f "$dir/home/.erlang.cookie" ] || { head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$dir/home/.erlang.cookie"; }
    chmod 400 "$dir/home/.erlang.cookie"
    : > "$dir/rabbitmq-env.conf"
    echo '[].' > "$dir/enabled_plugins"
    cat > "$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$RABBIT_PORT
loopback_users.guest = true
log.console = false
log.file.level = warning
EOF
    (
        rabbit_env "$dir"
        # Our own epmd, so that we know its PID and nothing system-wide is started.
        setsid epmd -port "$RABBIT_EPMD_PORT" -address 127.0.0.1 >"$dir/log/epmd.out" 2>&1 < /dev/null &
        wait_for_port "$RABBIT_EPMD_PORT" 10 || die "epmd did not start"
        listener_pid "$RABBIT_EPMD_PORT" > "$dir/epmd.pid"
        setsid "$RABBIT_BIN/rabbitmq-server" >"$dir/log/server.out" 2>&1 < /dev/null &
        echo $! > "$dir/server.pid"
        wait_for_port "$RABBIT_PORT" 60 || { tail -30 "$dir/log/server.out" >&2; die "rabbitmq did not open its port"; }
        "$RABBIT_BIN/rabbitmqctl" -q await_startup --timeout 60 >/dev/null 2>&1 || die "rabbitmq did not finish starting"
    ) || return 1
    export HOME="$saved_home"
    CANOPY_AMQP_URL="amqp://guest:guest@127.0.0.1:$RABBIT_PORT/%2f"
    export RABBIT_PORT RABBIT_DIST_PORT RABBIT_EPMD_PORT CANOPY_AMQP_URL
    say "rabbitmq on 127.0.0.1:$RABBIT_PORT (pid $(cat "$dir/server.pid"), data $dir)"
}

# The PID of the process listening on a loopback port (ours: we chose the port).
listener_pid() {
    ss -Hltnp "( sport = :$1 )" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}

pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

wait_pid_gone() { # pid seconds
    local deadline=$(( SECONDS + $2 ))
    while pid_alive "$1"; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}

rabbit_stop() {
    local dir="$1" saved_home="$HOME"
    [ -f "$dir/ports" ] || return 0
    read -r RABBIT_PORT RABBIT_DIST_PORT RABBIT_EPMD_PORT < "$dir/ports"
    local server_pid beam_pid epmd_pid
    server_pid=$(cat "$dir/server.pid" 2>/dev/null || true)
    beam_pid=$(cat "$dir/rabbit.pid" 2>/dev/null || true)
    epmd_pid=$(cat "$dir/epmd.pid" 2>/dev/null || true)
    if pid_alive "$beam_pid" || pid_alive "$server_pid"; then
        ( rabbit_env "$dir"; "$RABBIT_BIN/rabbitmqctl" -q stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 ) || true
        for pid in $beam_pid $server_pid; do
            wait_pid_gone "$pid" 20 || kill -TERM "$pid" 2>/dev/null || true
            wait_pid_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
        done
    fi
    if pid_alive "$epmd_pid"; then kill -TERM "$epmd_pid" 2>/dev/null || true; wait_pid_gone "$epmd_pid" 5 || kill -KILL "$epmd_pid" 2>/dev/null || true; fi
    rm -f "$dir/server.pid" "$dir/epmd.pid"
    export HOME="$saved_home"
}

# Fresh servers for one run ---------------------------------------------------------------------------

# servers_while_building NAME SWIFT-BUILD-ARGS...: starts fresh private servers under .canopy/NAME-<pid>
# while `swift build SWIFT-BUILD-ARGS` runs, and returns once both are ready. Everything it started, and
# the folder, go when the script exits, however it exits. Sets RUN. With WITHOUT_RABBITMQ=1, PostgreSQL
# only (CANOPY_AMQP_URL then names a port nobody listens on).
servers_while_building() {
    local name="$1"
    shift
    RUN="$CANOPY_ROOT/.canopy/$name-$$"
    mkdir -p "$RUN"
    BUILD_PID=""
    trap servers_cleanup EXIT
    trap 'exit 130' INT TERM
    say "building (swift build $*; log: $RUN/build.log) while the servers start"
    swift build "$@" >"$RUN/build.log" 2>&1 &
    BUILD_PID=$!
    pg_start "$RUN/pg"
    if [ "${WITHOUT_RABBITMQ:-}" = 1 ]; then
        export CANOPY_AMQP_URL="amqp://guest:guest@127.0.0.1:1/%2f"
    else
        rabbit_start "$RUN/rabbit"
    fi
    if ! wait "$BUILD_PID"; then
        BUILD_PID=""
        grep -E "error:" "$RUN/build.log" >&2 || tail -50 "$RUN/build.log" >&2
        die "the build failed"
    fi
    BUILD_PID=""
}

servers_cleanup() {
    [ -n "${BUILD_PID:-}" ] && kill "$BUILD_PID" 2>/dev/null || true
    # A server a script started on top (the contract check's canopy), before the servers it uses.
    if declare -F contract_server_stop >/dev/null; then contract_server_stop; fi
    rabbit_stop "$RUN/rabbit"
    pg_stop "$RUN/pg"
    rm -rf "$RUN"
}
