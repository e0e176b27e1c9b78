package scheduler

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateRejectsBadDefinitions(t *testing.T) {
	cases := []struct {
		name  string
		build func() *DAG
		want  string
	}{
		{"cycle", func() *DAG {
			d := NewDAG("c", DAGOptions{})
			d.Task("a", noop, TaskOptions{Upstream: []string{"c"}})
			d.Task("b", noop, TaskOptions{Upstream: []string{"a"}})
			d.Task("c", noop, TaskOptions{Upstream: []string{"b"}})
			return d
		}, "cycle: a -> c -> b -> a"},
		{"self loop", func() *DAG {
			d := NewDAG("s", DAGOptions{})
			d.Task("a", noop, TaskOptions{Upstream: []string{"a"}})
			return d
		}, "cycle: a -> a"},
		{"unknown upstream", func() *DAG {
			d := NewDAG("u", DAGOptions{})
			d.Task("a", noop, TaskOptions{Upstream: []string{"ghost"}})
			return d
		}, `task "a": unknown upstream "ghost"`},
		{"duplicate", func() *DAG {
			d := NewDAG("d", DAGOptions{})
			d.Task("a", noop, TaskOptions{})
			d.Task("a", noop, TaskOptions{})
			return d
		}, `duplicate task id "a"`},
		{"bad id", func() *DAG {
			d := NewDAG("bad id", DAGOptions{})
			d.Task("a", noop, TaskOptions{})
			return d
		}, `DAG id "bad id"`},
		{"bad schedule", func() *DAG {
			d := NewDAG("b", DAGOptions{Schedule: "every tuesday"})
			d.Task("a", noop, TaskOptions{})
			return d
		}, `schedule "every tuesday"`},
		{"no tasks", func() *DAG { return NewDAG("e", DAGOptions{}) }, "has no tasks"},
		{"nil func", func() *DAG {
			d := NewDAG("n", DAGOptions{})
			d.Task("a", nil, TaskOptions{})
			return d
		}, `task "a" has no function`},
		{"bad trigger rule", func() *DAG {
			d := NewDAG("r", DAGOptions{})
			d.Task("a", noop, TaskOptions{TriggerRule: "sometimes"})
			return d
		}, `unknown trigger rule "sometimes"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.build().Validate()
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want ErrInvalid mentioning %q", err, c.want)
			}
		})
	}
}

func TestRegistryRejectsDuplicateDAGsAndFindsTasks(t *testing.T) {
	a := NewDAG("a", DAGOptions{})
	a.Task("t", noop, TaskOptions{})
	b := NewDAG("a", DAGOptions{})
	b.Task("t", noop, TaskOptions{})
	if _, err := NewRegistry(a, b); !errors.Is(err, ErrInvalid) {
		t.Fatalf("duplicate DAG ids: %v", err)
	}
	reg := mustRegistry(t, a)
	if _, _, err := reg.Task("a", "t"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := reg.Task("a", "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown task: %v", err)
	}
	if _, _, err := reg.Task("zz", "t"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown DAG: %v", err)
	}
}

func TestDownstreamAndDefaults(t *testing.T) {
	d := NewDAG("x", DAGOptions{})
	d.Task("a", noop, TaskOptions{Retries: 2})
	d.Task("b", noop, TaskOptions{Upstream: []string{"a"}})
	d.Task("c", noop, TaskOptions{Upstream: []string{"a", "a"}})
	if got := d.Downstream("a"); strings.Join(got, ",") != "b,c" {
		t.Fatalf("downstream %v", got)
	}
	a := d.Lookup("a").Opts
	if a.Pool != DefaultPool || a.TriggerRule != AllSuccess || a.RetryDelay == 0 || a.MaxRetryDelay == 0 {
		t.Fatalf("defaults not applied: %+v", a)
	}
	if d.Opts.MaxActiveRuns != 16 || d.Opts.MaxActiveTasks != 16 {
		t.Fatalf("DAG defaults: %+v", d.Opts)
	}
}
