#!/usr/bin/env bash
# Start PostgreSQL, Redis and RabbitMQ for the tests if they are installed but not answering
# (idempotent: a service that answers is left alone). `make test` runs this first.
# A service that is not installed is reported, not installed: the tests that need it then
# skip on a developer's machine and fail in CI (CI=true), see tests/needs.py.
set -uo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

answers() {  # host port: something accepts TCP connections there
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

wait_for() {  # name port seconds
    local i
    for ((i = 0; i < $3 * 4; i++)); do
        answers 127.0.0.1 "$2" && return 0
        sleep 0.25
    done
    echo "ensure_services: $1 did not answer on 127.0.0.1:$2 after $3 s" >&2
    return 1
}

if answers 127.0.0.1 5432; then
    :
elif command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "ensure_services: starting PostgreSQL $version"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_for PostgreSQL 5432 30
else
    echo "ensure_services: PostgreSQL is not installed (tests that need it skip; CI fails)" >&2
fi

if answers 127.0.0.1 6379; then
    :
elif command -v redis-server >/dev/null; then
    echo "ensure_services: starting Redis"
    $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
        --appendonly no >/dev/null
    wait_for Redis 6379 15
else
    echo "ensure_services: Redis is not installed (tests that need it skip; CI fails)" >&2
fi

if answers 127.0.0.1 5672; then
    :
elif command -v rabbitmq-server >/dev/null; then
    echo "ensure_services: starting RabbitMQ"
    $SUDO rabbitmq-server -detached
    wait_for RabbitMQ 5672 90
else
    echo "ensure_services: RabbitMQ is not installed (tests that need it skip; CI fails)" >&2
fi
exit 0
