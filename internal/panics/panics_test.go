package panics

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestCallReturnsTheErrorOrThePanicWithItsStack(t *testing.T) {
	if err := Call(func() error { return io.EOF }); err != io.EOF {
		t.Fatalf("Call returned %v, want fn's own error", err)
	}
	done := make(chan error)
	go func() { done <- Call(func() error { explode(); return nil }) }()
	err := <-done
	var pe *Error
	if !errors.As(err, &pe) || pe.Value != "boom" {
		t.Fatalf("Call returned %v, want the recovered panic", err)
	}
	// The stack names the function that panicked, so the attempt's log
	// shows where to look.
	if msg := err.Error(); !strings.HasPrefix(msg, "panic: boom\n") || !strings.Contains(msg, "panics.explode") {
		t.Fatalf("error text %q lacks the panic value or its stack", msg)
	}
	wrapped := Call(func() error { panic(io.ErrUnexpectedEOF) })
	if !errors.Is(wrapped, io.ErrUnexpectedEOF) {
		t.Fatalf("panic(err) recovered as %v: errors.Is must see the error", wrapped)
	}
}

func explode() { panic("boom") }
