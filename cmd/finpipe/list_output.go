package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// printList prints a listing on stdout: v as one JSON value with --json,
// else a table of header and the rows fill writes (tab-separated cells,
// aligned here).
func (proc *process) printList(asJSON bool, v any, header string, fill func(w io.Writer)) error {
	if asJSON {
		return json.NewEncoder(proc.stdout).Encode(v)
	}
	tw := tabwriter.NewWriter(proc.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	fill(tw)
	return tw.Flush()
}
