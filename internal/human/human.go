// Package human formats figures for people reading a terminal, the same
// way in every command.
package human

import "time"

// Duration shortens d for people: milliseconds under a minute, tenths of
// a second above.
func Duration(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
