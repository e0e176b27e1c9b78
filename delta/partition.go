package delta

import (
	"fmt"
	"strings"
)

// hiveNull is the directory name Hive, Spark and delta-rs use for a null
// partition value.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// partitionDir returns "col=value/…/" for a file of the given partition
// values (in partitioning order), "" for an unpartitioned table. Directory
// names are only a convention: readers take values from partitionValues.
func partitionDir(l *layout, vals []string) string {
	var b strings.Builder
	for i, c := range l.partition {
		b.WriteString(escapePartitionName(c.field.Name))
		b.WriteByte('=')
		if vals[i] == "" {
			b.WriteString(hiveNull)
		} else {
			b.WriteString(escapePartitionName(vals[i]))
		}
		b.WriteByte('/')
	}
	return b.String()
}

// escapePartitionName percent-encodes the characters Spark's
// ExternalCatalogUtils.escapePathName escapes in partition directories.
func escapePartitionName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte("\"#%'*/:=?\\{[]^", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// partitionKey identifies one partition by its ordered values.
func partitionKey(vals []string) string {
	// A separator that partition values do not contain in practice keeps
	// ("a,b") distinct from ("a", "b").
	return strings.Join(vals, "\x00")
}

// matchesPartition reports whether a file's partition values equal want
// (column → value); columns absent from want are not constrained.
func matchesPartition(pv, want map[string]string) bool {
	for k, v := range want {
		if pv[k] != v {
			return false
		}
	}
	return true
}
