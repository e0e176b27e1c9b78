// Package model holds the orchestrator's records — DAG definitions, runs,
// task instances, attempts, log lines, backfills, pools, workers — and the
// names of their states. It is the vocabulary that the engine (package
// scheduler) and its store (package pgstore) share, as rivertype is for
// River's client and drivers: data only, no behaviour beyond naming states.
// Package scheduler re-exports every type here under the same name, so
// callers never import this package.
//
// The rules over these states (allowed transitions, trigger rules, the run
// outcome) live in scheduler/statemachine.go.
package model
