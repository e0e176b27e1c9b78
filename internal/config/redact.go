package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"text/tabwriter"
)

// mask replaces a secret; it says a value is set without hinting at it.
const mask = "xxxxx"

// Entry is one setting as `finpipe config` prints it.
type Entry struct {
	Key    Key
	Flag   string // "--workers"
	Env    string // "FINPIPE_WORKERS"
	Value  string // as given, secrets masked
	Source Source
}

// Entries lists every setting with its redacted value and source. It works
// even after a failed Load, showing what was given.
func (s *Settings) Entries() []Entry {
	out := make([]Entry, 0, numKeys)
	for _, k := range Keys() {
		out = append(out, Entry{Key: k, Flag: k.Flag(), Env: k.Env(),
			Value: redact(k, s.raw[k]), Source: s.Source(k)})
	}
	return out
}

// Redacted renders the effective configuration as an aligned table, one
// setting per line, safe to print or attach to a bug report.
func (s *Settings) Redacted() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VARIABLE\tFLAG\tVALUE\tSOURCE")
	for _, e := range s.Entries() {
		v := e.Value
		if v == "" {
			v = `""`
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", e.Env, e.Flag, v, e.Source)
	}
	_ = w.Flush() // a strings.Builder never fails
	return b.String()
}

// String keeps fmt's %v from printing secrets.
func (s *Settings) String() string { return s.Redacted() }

// LogValue keeps slog from printing secrets: logging the settings logs the
// redacted values under their environment names.
func (s *Settings) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, numKeys)
	for _, e := range s.Entries() {
		attrs = append(attrs, slog.String(e.Env, e.Value))
	}
	return slog.GroupValue(attrs...)
}

// redact masks a secret value: the whole API token, and only the password of
// a database URL so host and database stay visible for debugging.
func redact(k Key, raw string) string {
	switch {
	case raw == "" || !k.Secret():
		return raw
	case k == DatabaseURL:
		return RedactDatabaseURL(raw)
	default:
		return mask
	}
}

// dsnPassword finds password=... in a key=value connection string, quoted or
// not.
var dsnPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// RedactDatabaseURL masks the password of a PostgreSQL connection string in
// URL form (user:pass@ or ?password=) or key=value form (password=...).
// A string it cannot parse is masked entirely rather than risk a leak.
func RedactDatabaseURL(raw string) string {
	if !strings.Contains(raw, "://") {
		if strings.Contains(raw, "=") {
			return dsnPassword.ReplaceAllString(raw, "${1}"+mask)
		}
		return mask
	}
	u, err := url.Parse(raw)
	if err != nil {
		return mask
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), mask)
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", mask)
		u.RawQuery = q.Encode()
	}
	return u.String()
}
