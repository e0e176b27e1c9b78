package main

import (
	"fmt"
	"strings"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/scheduler"
)

// shippedDAG checks a DAG id given on the command line against the DAGs
// this binary ships, first, so that a typo is answered with the valid ids
// rather than with whatever fails next (no database configured, a run that
// never starts because no scheduler knows the DAG).
func shippedDAG(cfg *config.Settings, id string) (*scheduler.DAG, error) {
	// The brokers only configure the pipeline tasks, not which DAGs exist.
	reg, err := shippedRegistry(cfg, "", nil)
	if err != nil {
		return nil, err
	}
	return lookupDAG(reg, id)
}

func lookupDAG(reg *scheduler.Registry, id string) (*scheduler.DAG, error) {
	if d := reg.DAG(id); d != nil {
		return d, nil
	}
	var ids []string
	for _, d := range reg.DAGs() {
		ids = append(ids, d.ID)
	}
	return nil, fmt.Errorf("unknown DAG %q (known: %s)", id, strings.Join(ids, ", "))
}

// lookupTask is lookupDAG for a task of a shipped DAG.
func lookupTask(reg *scheduler.Registry, dagID, taskID string) error {
	d, err := lookupDAG(reg, dagID)
	if err != nil {
		return err
	}
	if d.Lookup(taskID) != nil {
		return nil
	}
	var ids []string
	for _, t := range d.Tasks() {
		ids = append(ids, t.ID)
	}
	return fmt.Errorf("unknown task %q in DAG %q (known: %s)", taskID, dagID, strings.Join(ids, ", "))
}
