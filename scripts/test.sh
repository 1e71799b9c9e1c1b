#!/usr/bin/env bash
# npm test — see scripts/run-tests.js. Needs PostgreSQL on 127.0.0.1:5432 and Redis on 6379.
exec node "$(dirname "$0")/run-tests.js" "$@"
