// Package dags holds the DAGs FinPipe ships, written with the public
// scheduler API as any user would. Add a DAG by writing a constructor in its
// own file and listing it in All.
package dags

import "github.com/finpipe/finpipe/scheduler"

// All returns a fresh definition of every shipped DAG: the pipeline's, set
// up by p, and the small example DAG that shows retries.
func All(p Pipeline) []*scheduler.DAG {
	return append(Pipelines(p), ExampleETL())
}

// Registry validates All into a registry (an invalid shipped DAG is a bug,
// reported as an error rather than a panic).
func Registry(p Pipeline) (*scheduler.Registry, error) {
	return scheduler.NewRegistry(All(p)...)
}
