package scheduler

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeTask emits table "tbl" and reports consuming topic "tx" up to
// offset 42 of partition 1.
func writeTask(_ context.Context, tc *TaskContext) error {
	if err := tc.EmitAssetEvent("tbl", map[string]any{"version": 3}); err != nil {
		return err
	}
	return tc.Consumed("tx", 1, 42)
}

func writerRegistry(t *testing.T) *Registry {
	t.Helper()
	d := NewDAG("producer", DAGOptions{Params: map[string]any{"p": "default"}})
	d.Task("write", writeTask, TaskOptions{Outlets: []string{"tbl"}})
	reg := mustRegistry(t, d)
	for _, a := range []Asset{{Name: "tbl", Kind: AssetDeltaTable}, {Name: "tx", Kind: AssetKafkaTopic}} {
		if err := reg.AddAsset(a); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// TestHandBuiltTaskContextRefusesOutputs: a TaskContext built as a struct
// literal, as a test of a task body might, used to drop EmitAssetEvent
// and Consumed in silence, so the test passed although nothing would have
// reached the engine. Now both fail with ErrNoAttempt, naming the task.
func TestHandBuiltTaskContextRefusesOutputs(t *testing.T) {
	tc := &TaskContext{DAGID: "producer", TaskID: "write"}
	err := tc.EmitAssetEvent("tbl", nil)
	if !errors.Is(err, ErrNoAttempt) || !strings.Contains(err.Error(), `task "write" of DAG "producer"`) ||
		!strings.Contains(err.Error(), "NewTaskContext") {
		t.Fatalf("EmitAssetEvent on a hand-built context: %v; want ErrNoAttempt naming the task and NewTaskContext", err)
	}
	if err := tc.Consumed("tx", 0, 1); !errors.Is(err, ErrNoAttempt) {
		t.Fatalf("Consumed on a hand-built context: %v; want ErrNoAttempt", err)
	}
}

// TestNewTaskContextCollectsOutputs: NewTaskContext is the constructor
// for tests. It checks outputs as an attempt does (an undeclared outlet is
// ErrInvalid) and keeps them for Outputs.
func TestNewTaskContextCollectsOutputs(t *testing.T) {
	reg := writerRegistry(t)
	if _, err := NewTaskContext(reg, "producer", "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown task: %v", err)
	}
	tc, err := NewTaskContext(reg, "producer", "write")
	if err != nil {
		t.Fatal(err)
	}
	if tc.DAGID != "producer" || tc.TaskID != "write" || tc.TryNumber != 1 || tc.RunID == "" ||
		tc.Params["p"] != "default" || tc.Conf == nil || tc.Log == nil || time.Since(tc.LogicalDate) > time.Hour {
		t.Fatalf("context: %+v", tc)
	}
	if err := writeTask(context.Background(), tc); err != nil {
		t.Fatal(err)
	}
	if err := tc.EmitAssetEvent("tx", nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("emitting an asset that is not an outlet: %v", err)
	}
	got := tc.Outputs()
	if len(got.Events) != 1 || got.Events[0].Asset != "tbl" || got.Events[0].Extra["version"] != float64(3) ||
		got.Events[0].SourceTaskID != "write" || got.Events[0].SourceTry != 1 {
		t.Fatalf("events: %+v", got.Events)
	}
	if want := []ConsumedOffset{{Asset: "tx", Partition: 1, NextOffset: 42}}; !reflect.DeepEqual(got.Consumed, want) {
		t.Fatalf("consumed: %+v, want %+v", got.Consumed, want)
	}
}
