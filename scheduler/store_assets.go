package scheduler

import (
	"context"
	"fmt"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// syncDAGAssets writes what the DAG is scheduled on and its tasks' outlets.
func syncDAGAssets(ctx context.Context, tx driver.Executor, d *DAG) error {
	if err := tx.ReplaceDAGAssets(ctx, d.ID, d.Opts.Assets, d.Opts.AssetsAny); err != nil {
		return err
	}
	var taskIDs, outlets []string
	for _, t := range d.Tasks() {
		for _, a := range t.Opts.Outlets {
			taskIDs, outlets = append(taskIDs, t.ID), append(outlets, a)
		}
	}
	return tx.ReplaceTaskOutlets(ctx, d.ID, taskIDs, outlets)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ListAssets returns every synced asset with the DAGs scheduled on it
// (Consumers), the tasks that emit it (Producers), its newest event and,
// for a Kafka topic, its end offsets as last seen by the watcher and each
// consuming DAG's lag, sorted by name.
func (s *Store) ListAssets(ctx context.Context) ([]AssetInfo, error) {
	return s.assetInfos(ctx, "")
}

// GetAsset returns one asset as ListAssets does; ErrNotFound when no
// binary synced it.
func (s *Store) GetAsset(ctx context.Context, name string) (AssetInfo, error) {
	out, err := s.assetInfos(ctx, name)
	if err != nil {
		return AssetInfo{}, err
	}
	if len(out) == 0 {
		return AssetInfo{}, notFoundf("asset %q", name)
	}
	return out[0], nil
}

// assetInfos lists the assets named name ("": all) with their last events.
func (s *Store) assetInfos(ctx context.Context, name string) ([]AssetInfo, error) {
	out, err := s.drv.ListAssets(ctx, name)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, a := range out {
		if a.LastEvent != nil {
			ids = append(ids, a.LastEvent.ID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	events, err := s.drv.GetAssetEvents(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]AssetEvent, len(events))
	for _, e := range events {
		byID[e.ID] = e
	}
	for i := range out {
		if out[i].LastEvent == nil {
			continue
		}
		if e, ok := byID[out[i].LastEvent.ID]; ok {
			out[i].LastEvent = &e
		} else {
			out[i].LastEvent = nil // cleaned in between
		}
	}
	return out, nil
}

// Asset event pages: DefaultEventLimit when the filter gives none, at most
// MaxEventLimit.
const (
	DefaultEventLimit = 50
	MaxEventLimit     = 1000
)

// ListAssetEvents returns a page of asset events, newest first, each with
// the runs it triggered. A negative limit, or one above MaxEventLimit, or
// a negative BeforeID is ErrInvalid.
func (s *Store) ListAssetEvents(ctx context.Context, f AssetEventFilter) ([]AssetEvent, error) {
	if f.Limit < 0 || f.Limit > MaxEventLimit {
		return nil, fmt.Errorf("%w: limit %d: use 1-%d (0 means %d)", ErrInvalid, f.Limit, MaxEventLimit, DefaultEventLimit)
	}
	if f.BeforeID < 0 {
		return nil, fmt.Errorf("%w: before id %d must not be negative", ErrInvalid, f.BeforeID)
	}
	if f.Limit == 0 {
		f.Limit = DefaultEventLimit
	}
	return s.drv.ListAssetEvents(ctx, f)
}

// RunAssetEvents returns the asset events a run covered (those that queued
// it, coalesced), oldest first; empty for runs not triggered by assets.
// ErrNotFound for an unknown run.
func (s *Store) RunAssetEvents(ctx context.Context, runID string) ([]AssetEvent, error) {
	if _, err := s.drv.GetRun(ctx, runID); err != nil {
		return nil, err
	}
	return s.drv.RunAssetEvents(ctx, runID)
}
