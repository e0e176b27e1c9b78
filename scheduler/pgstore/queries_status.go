package pgstore

import "github.com/jackc/pgx/v5"

// Statements behind `finpipe status`, kept beside queries.go and written
// the same way.

// listenSQL is the statement a listener's dedicated connection runs. It is
// also how status finds live schedulers: pg_stat_activity shows each
// connection's last statement, and a scheduler's listening connection
// stays on it for as long as the process lives.
func listenSQL(channel string) string { return "LISTEN " + pgx.Identifier{channel}.Sanitize() }

// sqlListListeners lists the connections whose last statement is $1.
const sqlListListeners = `
SELECT pid, coalesce(host(client_addr), ''), backend_start FROM pg_stat_activity
WHERE datname = current_database() AND query = $1
ORDER BY backend_start`
