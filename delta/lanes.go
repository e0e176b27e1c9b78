package delta

// laneMinRows is the least rows of one partition that a write splits over
// several lanes. Below it, one file per partition is cheap enough and
// splitting would only make more small files; above it (a backlog's
// batches) encoding and compressing Parquet is most of a commit's time,
// and a file per core per partition, as Spark writes one per task, lets
// every core take part. Splitting needs no more than the rows given, so
// it never changes what a commit holds, only how many files hold it.
const laneMinRows = 32 << 10

// planLanes spreads a write's rows over up to lanes lanes that are written
// at the same time: a partition with at least laneMinRows rows is cut into
// one contiguous share per lane; a smaller one goes whole to the lane that
// has the fewest rows so far, so that many small partitions spread too
// without being split. Each lane lists its rows' indexes in write order. It
// returns nil when one lane is the plan: a small write, one core, or a row
// that the sequential write must report (wrong width, a bad partition
// value).
func planLanes(l *layout, rows []Row, lanes int) [][]int {
	if lanes < 2 || len(rows) < laneMinRows {
		return nil
	}
	// Consecutive rows usually share a partition: compare raw values and
	// format only when they change, as multiWriter does.
	part := make([]int32, len(rows)) // each row's partition, by first appearance
	var counts []int
	ids := map[string]int32{}
	var lastRaw []any
	for i, r := range rows {
		if len(r) != len(l.schema.Fields) {
			return nil
		}
		if i > 0 && sameRaw(l, r, lastRaw) {
			part[i] = part[i-1]
			counts[part[i]]++
			continue
		}
		vals, err := l.partitionOf(r)
		if err != nil {
			return nil
		}
		key := partitionKey(vals)
		id, ok := ids[key]
		if !ok {
			id = int32(len(counts))
			ids[key] = id
			counts = append(counts, 0)
		}
		part[i] = id
		counts[id]++
		lastRaw = lastRaw[:0]
		for _, c := range l.partition {
			lastRaw = append(lastRaw, r[c.pos])
		}
	}
	// Where each partition's rows go: a small one to a single lane, a big
	// one to lane seen*lanes/count for its seen-th row.
	home := make([]int, len(counts))
	load := make([]int, lanes)
	for id, n := range counts {
		if n >= laneMinRows {
			home[id] = -1
			for j := range load {
				load[j] += n / lanes
			}
			continue
		}
		least := 0
		for j := range load {
			if load[j] < load[least] {
				least = j
			}
		}
		home[id] = least
		load[least] += n
	}
	out := make([][]int, lanes)
	for j := range out {
		out[j] = make([]int, 0, load[j]+lanes)
	}
	seen := make([]int, len(counts))
	for i, id := range part {
		j := home[id]
		if j < 0 {
			j = seen[id] * lanes / counts[id]
			seen[id]++
		}
		out[j] = append(out[j], i)
	}
	return out
}

// sameRaw reports whether r's partition values equal raw.
func sameRaw(l *layout, r Row, raw []any) bool {
	for i, c := range l.partition {
		if !sameValue(r[c.pos], raw[i]) {
			return false
		}
	}
	return true
}
