package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
)

// printList prints a listing on stdout: v as one JSON value with --json,
// else a table of header and the rows fill writes (tab-separated cells,
// aligned here).
func printList(asJSON bool, v any, header string, fill func(w io.Writer)) error {
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(v)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	fill(tw)
	return tw.Flush()
}
