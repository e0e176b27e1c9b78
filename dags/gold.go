package dags

import (
	"fmt"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

// GoldHourlyRefresh recomputes Gold for today and yesterday (UTC, relative
// to the end of the run's data interval) from Silver every hour, so that
// Gold reflects late data even when no micro-batch touched those dates. A
// run's conf may name other dates: {"dates": ["2026-03-01", ...]}.
func GoldHourlyRefresh(p Pipeline) *scheduler.DAG {
	d := scheduler.NewDAG(GoldHourlyRefreshDAG, scheduler.DAGOptions{
		Schedule: "@hourly", StartDate: DataStart(), MaxActiveRuns: 1,
		Description: "recompute Gold for today and yesterday from Silver",
		Tags:        []string{"pipeline", "gold"},
	})
	d.Task("refresh_gold", p.aggregateTask(func(tc *scheduler.TaskContext) ([]time.Time, error) {
		end := tc.DataIntervalEnd.UTC()
		return confDates(tc, end.AddDate(0, 0, -1), end)
	}), withOutlets(retried(), goldTables...))
	return d
}

// GoldDaily recomputes Gold for the run's logical date. Catchup is on, so
// a backfill over a date range rebuilds each day of it. A run's conf may
// name other dates: {"dates": ["2026-03-01", ...]}.
func GoldDaily(p Pipeline) *scheduler.DAG {
	d := scheduler.NewDAG(GoldDailyDAG, scheduler.DAGOptions{
		Schedule: "@daily", StartDate: DataStart(), Catchup: true, MaxActiveRuns: 4,
		Description: "rebuild Gold for the run's logical date (the target of backfills)",
		Tags:        []string{"pipeline", "gold"},
	})
	d.Task("rebuild_gold", p.aggregateTask(func(tc *scheduler.TaskContext) ([]time.Time, error) {
		return confDates(tc, tc.LogicalDate.UTC())
	}), withOutlets(retried(), goldTables...))
	return d
}

// confDates returns the dates of the run's conf "dates" when given, else
// the defaults.
func confDates(tc *scheduler.TaskContext, defaults ...time.Time) ([]time.Time, error) {
	raw, ok := tc.Conf["dates"]
	if !ok {
		return defaults, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf(`conf "dates" must be a list of "YYYY-MM-DD" strings, got %T`, raw)
	}
	out := make([]time.Time, 0, len(list))
	for _, v := range list {
		s, _ := v.(string)
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, fmt.Errorf(`conf "dates": %v is not a "YYYY-MM-DD" date`, v)
		}
		out = append(out, d)
	}
	return out, nil
}
