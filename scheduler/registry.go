package scheduler

import (
	"fmt"
	"sort"
)

// Registry holds the DAGs a binary ships, validated. Workers look task
// functions up here; the scheduler syncs the definitions into PostgreSQL.
type Registry struct {
	dags  map[string]*DAG
	order []string
	// assets are the registered assets (asset.go), by name.
	assets map[string]Asset
}

// NewRegistry validates every DAG and rejects duplicate DAG ids.
func NewRegistry(dags ...*DAG) (*Registry, error) {
	r := &Registry{dags: map[string]*DAG{}, assets: map[string]Asset{}}
	for _, d := range dags {
		if d == nil {
			return nil, fmt.Errorf("%w: nil DAG", ErrInvalid)
		}
		if err := d.Validate(); err != nil {
			return nil, err
		}
		if r.dags[d.ID] != nil {
			return nil, fmt.Errorf("%w: duplicate DAG id %q", ErrInvalid, d.ID)
		}
		r.dags[d.ID] = d
		r.order = append(r.order, d.ID)
	}
	sort.Strings(r.order)
	return r, nil
}

// DAG returns the DAG with the given id, or nil.
func (r *Registry) DAG(id string) *DAG { return r.dags[id] }

// DAGs returns every DAG sorted by id.
func (r *Registry) DAGs() []*DAG {
	out := make([]*DAG, len(r.order))
	for i, id := range r.order {
		out[i] = r.dags[id]
	}
	return out
}

// Task returns a task by DAG and task id, or an ErrNotFound error.
func (r *Registry) Task(dagID, taskID string) (*DAG, *Task, error) {
	d := r.dags[dagID]
	if d == nil {
		return nil, nil, fmt.Errorf("%w: DAG %q is not defined in this binary", ErrNotFound, dagID)
	}
	t := d.Lookup(taskID)
	if t == nil {
		return nil, nil, fmt.Errorf("%w: DAG %q has no task %q", ErrNotFound, dagID, taskID)
	}
	return d, t, nil
}
