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

// Registry validates All and the pipeline's Assets into a registry (an
// invalid shipped DAG, or one naming an asset that is not registered, is
// a bug, reported as an error rather than a panic).
func Registry(p Pipeline) (*scheduler.Registry, error) {
	return RegistryOf(p, All(p)...)
}

// RegistryOf is Registry for a subset of the shipped DAGs (the demo and
// the benchmarks run only the pipeline's).
func RegistryOf(p Pipeline, ds ...*scheduler.DAG) (*scheduler.Registry, error) {
	reg, err := scheduler.NewRegistry(ds...)
	if err != nil {
		return nil, err
	}
	for _, a := range Assets(p) {
		if err := reg.AddAsset(a); err != nil {
			return nil, err
		}
	}
	return reg, reg.Validate()
}
