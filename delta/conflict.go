package delta

import "fmt"

// conflictsWith decides whether a commit that won the race for a version
// invalidates this plan (Delta's optimistic concurrency, WriteSerializable
// flavour):
//
//   - a protocol or metaData change conflicts with everything: our data files
//     were written for the old schema;
//   - a txn for one of our appIds conflicts: the same logical write may have
//     been committed twice (the caller re-reads TxnVersion and decides);
//   - removing a file we also remove conflicts (concurrent delete/compaction);
//   - adding data into a partition we replace conflicts (the overwrite would
//     no longer replace everything).
//
// Blind appends conflict with nothing but the first two.
func (p *commitPlan) conflictsWith(won actions, version int64) error {
	if won.protocol != nil {
		return fmt.Errorf("%w: version %d changed the protocol", ErrConflict, version)
	}
	if won.metadata != nil {
		return fmt.Errorf("%w: version %d changed the table metadata", ErrConflict, version)
	}
	for _, wt := range won.txns {
		for _, ot := range p.txns {
			if wt.AppID == ot.AppID {
				return fmt.Errorf("%w: version %d committed txn %q version %d concurrently", ErrConflict, version, wt.AppID, wt.Version)
			}
		}
	}
	if len(p.removes) > 0 && len(won.removes) > 0 {
		ours := make(map[string]bool, len(p.removes))
		for _, r := range p.removes {
			ours[r.Path] = true
		}
		for _, r := range won.removes {
			if ours[r.Path] {
				return fmt.Errorf("%w: version %d removed file %s concurrently", ErrConflict, version, r.Path)
			}
		}
	}
	for _, a := range won.adds {
		if !a.DataChange {
			continue
		}
		for _, part := range p.readPartitions {
			if matchesPartition(a.PartitionValues, part) {
				return fmt.Errorf("%w: version %d added data to partition %v that this commit replaces", ErrConflict, version, part)
			}
		}
	}
	return nil
}
