package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/finpipe/finpipe/tasks/produce"
)

// progressOut is where progress bars go: stderr when it is a terminal, else
// nowhere (nil). Bars are for a person watching; a log file, a pipe or CI
// gets no carriage returns, and stdout stays clean for the results.
func (proc *process) progressOut() io.Writer {
	if f, ok := proc.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return f
	}
	return nil
}

// bar is a progress bar of long work (messages produced, records through
// the pipeline, a backfill's runs) drawn by progressbar on w:
// "produce  52% |███████       | (52000/100000, 98123 msg/s) [0s:0s]".
// With a nil w it draws nothing, so callers need no branches.
type bar struct {
	w          io.Writer
	what, unit string
	pb         *progressbar.ProgressBar
}

var _ produce.Progress = (*bar)(nil)

func newBar(w io.Writer, what, unit string) *bar { return &bar{w: w, what: what, unit: unit} }

// Start draws the bar at 0 of total steps; total 0 means unknown (a
// spinner with the count and rate).
func (b *bar) Start(total int64) {
	if b.w == nil {
		return
	}
	if total <= 0 {
		total = -1
	}
	b.pb = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(b.what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(b.unit),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond), // progressbar locks: safe from any goroutine
		progressbar.OptionSetRenderBlankState(true),
	)
}

// Set moves the bar to done steps.
func (b *bar) Set(done int64) {
	if b.pb != nil {
		_ = b.pb.Set64(done)
	}
}

// End leaves the bar as it is, finished or not, and ends its line.
func (b *bar) End() {
	if b.pb != nil {
		_ = b.pb.Exit()
		fmt.Fprintln(b.w)
		b.pb = nil
	}
}
