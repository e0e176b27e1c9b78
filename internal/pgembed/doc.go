// Package pgembed runs a private PostgreSQL server for FinPipe when no
// DATABASE_URL is configured: `finpipe standalone`, `finpipe bench` and the
// test harness use it so that a fresh machine needs nothing running.
//
// It prefers the PostgreSQL binaries already installed on the machine
// (Debian's /usr/lib/postgresql/<version>/bin, or PATH) because they start in
// about a second and need no network. Only when none are found does it fall
// back to github.com/fergusstrange/embedded-postgres, which downloads a
// release once and caches it.
//
// PostgreSQL refuses to run as root. When FinPipe itself runs as root the
// server processes are started under an unprivileged account ("postgres" when
// it exists, otherwise "nobody") and the cluster directory is handed to it;
// when that account cannot reach the data dir, the cluster lives elsewhere
// (see layout), so that no folder of the user's has to be opened up.
//
// A data dir serves one server at a time (an OS lock beside it), and a
// start after a crash waits for, then stops, the server the crashed process
// left shutting down (see takeOver).
package pgembed
