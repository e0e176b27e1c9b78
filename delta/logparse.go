package delta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ErrCorruptLog is wrapped by errors about log files that cannot be decoded.
var ErrCorruptLog = errors.New("delta: corrupt log")

// lineJSON is one line of a commit file: exactly one of the fields is set.
// Unknown actions (cdc, domainMetadata, checkpointMetadata, …) are ignored,
// as the protocol asks of readers that do not use them.
type lineJSON struct {
	Protocol   *Protocol       `json:"protocol"`
	MetaData   *Metadata       `json:"metaData"`
	Add        *addJSON        `json:"add"`
	Remove     *removeJSON     `json:"remove"`
	Txn        *Txn            `json:"txn"`
	CommitInfo json.RawMessage `json:"commitInfo"`
	Sidecar    *sidecar        `json:"sidecar"`
}

type addJSON struct {
	Path             *string            `json:"path"`
	PartitionValues  map[string]*string `json:"partitionValues"`
	Size             int64              `json:"size"`
	ModificationTime int64              `json:"modificationTime"`
	DataChange       bool               `json:"dataChange"`
	Stats            *string            `json:"stats,omitempty"`
	Tags             map[string]string  `json:"tags,omitempty"`
	DeletionVector   *DeletionVector    `json:"deletionVector,omitempty"`
}

type removeJSON struct {
	Path                 *string            `json:"path"`
	DeletionTimestamp    *int64             `json:"deletionTimestamp,omitempty"`
	DataChange           bool               `json:"dataChange"`
	ExtendedFileMetadata *bool              `json:"extendedFileMetadata,omitempty"`
	PartitionValues      map[string]*string `json:"partitionValues,omitempty"`
	Size                 *int64             `json:"size,omitempty"`
	DeletionVector       *DeletionVector    `json:"deletionVector,omitempty"`
}

// parseCommit decodes the newline-delimited JSON actions of one commit file.
// It never panics: any damage is reported as an error wrapping ErrCorruptLog,
// unless the commit's protocol action asks for a feature this package lacks:
// then that is the error, since actions of a feature one does not know may
// well look damaged.
func parseCommit(data []byte) (actions, error) {
	var out actions
	var damage error
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if err := parseLine(line, &out); err != nil && damage == nil {
			damage = fmt.Errorf("%w: line %d: %v", ErrCorruptLog, n, err)
		}
	}
	return out, protocolFirst(out.protocol, damage)
}

// protocolFirst returns the error that describes a log file best: the
// protocol's refusal when the file's protocol action needs a feature this
// package lacks, else damage (nil when the file was fine).
func protocolFirst(p *Protocol, damage error) error {
	if damage == nil {
		return nil
	}
	if p != nil {
		if err := checkReadable(p); errors.Is(err, ErrUnsupportedFeature) {
			return err
		}
	}
	return damage
}

func parseLine(line []byte, out *actions) error {
	var l lineJSON
	if err := json.Unmarshal(line, &l); err != nil {
		return err
	}
	switch {
	case l.Protocol != nil:
		if l.Protocol.MinReaderVersion < 1 || l.Protocol.MinWriterVersion < 1 {
			return fmt.Errorf("protocol without versions")
		}
		out.protocol = l.Protocol
	case l.MetaData != nil:
		if l.MetaData.SchemaString == "" {
			return fmt.Errorf("metaData without schemaString")
		}
		out.metadata = l.MetaData
	case l.Add != nil:
		a, err := l.Add.toAddFile()
		if err != nil {
			return err
		}
		out.adds = append(out.adds, a)
	case l.Remove != nil:
		r, err := l.Remove.toRemoveFile()
		if err != nil {
			return err
		}
		out.removes = append(out.removes, r)
	case l.Txn != nil:
		if l.Txn.AppID == "" {
			return fmt.Errorf("txn without appId")
		}
		out.txns = append(out.txns, *l.Txn)
	case l.Sidecar != nil:
		if l.Sidecar.Path == "" {
			return fmt.Errorf("sidecar without path")
		}
		out.sidecars = append(out.sidecars, *l.Sidecar)
	case len(l.CommitInfo) > 0 && string(l.CommitInfo) != "null":
		ci, err := parseCommitInfo(l.CommitInfo)
		if err != nil {
			return err
		}
		out.commitInfo = ci
	}
	return nil
}

func (a *addJSON) toAddFile() (AddFile, error) {
	if a.Path == nil || *a.Path == "" {
		return AddFile{}, fmt.Errorf("add without path")
	}
	if err := a.DeletionVector.validate(); err != nil {
		return AddFile{}, fmt.Errorf("add %q: %v", *a.Path, err)
	}
	p, err := decodeLogPath(*a.Path)
	if err != nil {
		return AddFile{}, err
	}
	af := AddFile{
		Path:             p,
		PartitionValues:  flattenPartitionValues(a.PartitionValues),
		Size:             a.Size,
		ModificationTime: a.ModificationTime,
		DataChange:       a.DataChange,
		Tags:             a.Tags,
		DeletionVector:   a.DeletionVector,
	}
	if a.Stats != nil {
		af.Stats = *a.Stats
	}
	return af, nil
}

func (r *removeJSON) toRemoveFile() (RemoveFile, error) {
	if r.Path == nil || *r.Path == "" {
		return RemoveFile{}, fmt.Errorf("remove without path")
	}
	if err := r.DeletionVector.validate(); err != nil {
		return RemoveFile{}, fmt.Errorf("remove %q: %v", *r.Path, err)
	}
	p, err := decodeLogPath(*r.Path)
	if err != nil {
		return RemoveFile{}, err
	}
	rf := RemoveFile{Path: p, DataChange: r.DataChange, PartitionValues: flattenPartitionValues(r.PartitionValues),
		DeletionVector: r.DeletionVector}
	if r.DeletionTimestamp != nil {
		rf.DeletionTimestamp = *r.DeletionTimestamp
	}
	if r.Size != nil {
		rf.Size = *r.Size
	}
	if r.ExtendedFileMetadata != nil {
		rf.HasExtendedMeta = *r.ExtendedFileMetadata
	}
	return rf, nil
}

// flattenPartitionValues turns JSON nulls into empty strings (see AddFile).
func flattenPartitionValues(in map[string]*string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		if v == nil {
			out[k] = ""
		} else {
			out[k] = *v
		}
	}
	return out
}

// decodeLogPath turns an add/remove path (a URI path, percent-encoded) into a
// relative file path. Absolute URIs are refused: this package only handles
// tables whose files live under the table root.
func decodeLogPath(p string) (string, error) {
	if strings.Contains(p, "://") || strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("absolute file path %q is not supported", p)
	}
	d := p
	if strings.IndexByte(p, '%') >= 0 { // else unescaping is the identity: a checkpoint's 100,000 paths skip it
		var err error
		if d, err = url.PathUnescape(p); err != nil {
			return "", fmt.Errorf("invalid file path %q: %v", p, err)
		}
	}
	for seg := range strings.SplitSeq(d, "/") {
		if seg == ".." {
			return "", fmt.Errorf("file path %q leaves the table directory", p)
		}
	}
	return d, nil
}

// encodeLogPath is the inverse of decodeLogPath: it percent-encodes a
// relative path the way Spark does, so that "%" and spaces survive.
func encodeLogPath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

func parseCommitInfo(raw json.RawMessage) (*CommitInfo, error) {
	var ci CommitInfo
	if err := json.Unmarshal(raw, &ci); err != nil {
		return nil, fmt.Errorf("commitInfo: %v", err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, fmt.Errorf("commitInfo: %v", err)
	}
	if ts, ok := all["timestamp"]; ok {
		var ms int64
		if err := json.Unmarshal(ts, &ms); err == nil {
			ci.Timestamp = time.UnixMilli(ms).UTC()
		}
	}
	for _, k := range []string{"timestamp", "operation", "operationParameters", "operationMetrics", "readVersion", "isBlindAppend", "engineInfo"} {
		delete(all, k)
	}
	if len(all) > 0 {
		ci.Extra = all
	}
	return &ci, nil
}
