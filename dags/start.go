package dags

import "time"

// DataStart is the start_date of the shipped pipeline DAGs: a fixed date, as
// Airflow DAGs have, before the first transaction FinPipe generated. Left to
// the engine's default (the hour the process started) it moved on every
// restart, so gold_daily, which catches up, skipped every day the process was
// down and never had a run for the day it was restarted on. From a fixed
// date the scheduler creates each day's run exactly once, whenever it runs
// (unique per logical date), a few at a time (max_active_runs).
func DataStart() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }
