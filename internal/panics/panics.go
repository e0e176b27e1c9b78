// Package panics turns a panic in a goroutine into an error. A panic that
// escapes any goroutine ends the whole process: with the orchestrator, the
// web UI and every other task in it. The engine recovers a task body's own
// panic, but Go's recover only sees its own goroutine, so every goroutine a
// task starts must recover for itself and hand the panic back to the task as
// an error, which then fails the attempt with the stack in its log.
package panics

import (
	"fmt"
	"runtime/debug"
)

// Error is a recovered panic: its value and the stack of the goroutine
// where it was raised (the stack is what a developer needs to fix it; the
// attempt's log shows it through Error).
type Error struct {
	Value any
	Stack []byte
}

func (e *Error) Error() string { return fmt.Sprintf("panic: %v\n%s", e.Value, e.Stack) }

// Unwrap exposes a panic value that is an error (panic(err)), so that
// errors.Is and errors.As see through the recovery.
func (e *Error) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Call runs fn and returns its error, or an *Error if fn panics.
func Call(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Value: p, Stack: debug.Stack()}
		}
	}()
	return fn()
}
