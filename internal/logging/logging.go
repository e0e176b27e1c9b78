// Package logging builds FinPipe's slog loggers: readable text for a person
// at a terminal, JSON for machines (containers, log shippers), and the
// attributes that tie every line of a task attempt to its dag, run, task and
// try.
package logging

import (
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"
)

// Setup returns a logger writing to w. format is "text", "json" or "auto"
// (text when w is a terminal, JSON otherwise); level is "debug", "info",
// "warn" or "error". Values that config.Settings has validated always work;
// anything else falls back to auto and info rather than failing, because a
// process that cannot log cannot explain why it stopped.
func Setup(format, level string, w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.TrimSpace(level))); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if useText(format, w) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func useText(format string, w io.Writer) bool {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "text":
		return true
	case "json":
		return false
	default:
		return IsTerminal(w)
	}
}

// IsTerminal reports whether w is an interactive terminal, the signal for
// human-oriented output (text logs, progress bars).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
