package delta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/parquet-go/parquet-go"
)

var (
	// ErrFileMissing is wrapped when the log references a data file that is
	// not on disk, typically because VACUUM deleted it after it left the
	// table.
	ErrFileMissing = errors.New("delta: data file missing")
	// ErrCorruptFile is wrapped when a data or checkpoint file cannot be
	// decoded.
	ErrCorruptFile = errors.New("delta: corrupt file")
)

// Rows returns every row of the files whose partition values pass filter
// (nil for all), partition columns included. For large tables prefer Scan.
func (s *Snapshot) Rows(ctx context.Context, filter func(partitionValues map[string]string) bool) ([]Row, error) {
	var out []Row
	err := s.Scan(ctx, filter, func(r Row) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// Scan calls fn with each row of the files whose partition values pass
// filter (nil for all). Each Row is newly allocated and may be kept. An
// error from fn stops the scan and is returned.
func (s *Snapshot) Scan(ctx context.Context, filter func(partitionValues map[string]string) bool, fn func(Row) error) error {
	return s.ScanColumns(ctx, nil, filter, fn)
}

// ScanColumns is Scan restricted to the named columns (nil for all): rows
// hold those values in the order given. It lets callers read tables whose
// other columns have types this package cannot decode (nested types).
func (s *Snapshot) ScanColumns(ctx context.Context, columns []string, filter func(partitionValues map[string]string) bool, fn func(Row) error) error {
	proj, err := s.projection(columns)
	if err != nil {
		return err
	}
	for _, f := range s.Files() {
		if filter != nil && !filter(f.PartitionValues) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.scanFile(f, proj, fn); err != nil {
			return err
		}
	}
	return nil
}

// projected is one output column of a scan.
type projected struct {
	field     Field
	dt        dataType
	partition bool
}

func (s *Snapshot) projection(columns []string) ([]projected, error) {
	if columns == nil {
		for _, f := range s.st.schema.Fields {
			columns = append(columns, f.Name)
		}
	}
	isPart := map[string]bool{}
	for _, c := range s.st.metadata.PartitionColumns {
		isPart[c] = true
	}
	out := make([]projected, len(columns))
	for i, name := range columns {
		idx := s.st.schema.Index(name)
		if idx < 0 {
			return nil, fmt.Errorf("delta: no column %q in the schema", name)
		}
		f := s.st.schema.Fields[idx]
		dt, err := parseType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("delta: column %q cannot be read: %w", name, err)
		}
		out[i] = projected{field: f, dt: dt, partition: isPart[name]}
	}
	return out, nil
}

// scanFile reads one data file.
func (s *Snapshot) scanFile(add AddFile, proj []projected, fn func(Row) error) (err error) {
	inCallback := false
	defer recoverParquet(&err, add.Path, &inCallback)
	fn0 := fn
	fn = func(r Row) error {
		inCallback = true
		defer func() { inCallback = false }()
		return fn0(r)
	}
	f, err := s.root.openFile(context.TODO(), add.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s is referenced by version %d but is not on disk (vacuumed?)", ErrFileMissing, add.Path, s.version)
	}
	if err != nil {
		return fmt.Errorf("delta: open data file: %w", err)
	}
	defer f.Close()
	pf, err := parquet.OpenFile(f, f.Size())
	if err != nil {
		return fmt.Errorf("%w: data file %s: %v", ErrCorruptFile, add.Path, err)
	}
	// Partition values are the same for the whole file; data columns are
	// found by name (files may lack columns added later: those read as null).
	template := make(Row, len(proj))
	decoders := make([]func(parquet.Value, Row) error, len(pf.Schema().Columns()))
	for i, p := range proj {
		if p.partition {
			v, err := parsePartitionValue(p.field, p.dt, add.PartitionValues[p.field.Name])
			if err != nil {
				return fmt.Errorf("delta: data file %s: %w", add.Path, err)
			}
			template[i] = v
			continue
		}
		leaf, ok := pf.Schema().Lookup(p.field.Name)
		if !ok || leaf.MaxRepetitionLevel > 0 {
			continue
		}
		dec, err := newDecoder(p.field, p.dt, leaf.Node)
		if err != nil {
			return fmt.Errorf("%w (file %s)", err, add.Path)
		}
		out := i
		decoders[leaf.ColumnIndex] = func(v parquet.Value, r Row) error {
			if v.IsNull() {
				return nil
			}
			x, err := dec(v)
			r[out] = x
			return err
		}
	}
	buf := make([]parquet.Row, 128)
	for _, rg := range pf.RowGroups() {
		if err := readRowGroup(add.Path, rg, buf, template, decoders, fn); err != nil {
			return err // the caller's own error, or one naming the file
		}
	}
	return nil
}

// readRowGroup decodes one row group and calls fn per row. Errors from fn
// are returned as they are; decoding errors say which file and why.
func readRowGroup(file string, rg parquet.RowGroup, buf []parquet.Row, template Row, decoders []func(parquet.Value, Row) error, fn func(Row) error) error {
	rows := rg.Rows()
	defer rows.Close()
	for {
		n, rerr := rows.ReadRows(buf)
		for _, pr := range buf[:n] {
			r := make(Row, len(template))
			copy(r, template)
			for _, v := range pr {
				if c := v.Column(); c >= 0 && c < len(decoders) && decoders[c] != nil {
					d := decoders[c]
					if err := d(v, r); err != nil {
						return fmt.Errorf("%w: data file %s: %v", ErrCorruptFile, file, err)
					}
				}
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("%w: data file %s: %v", ErrCorruptFile, file, rerr)
		}
	}
}
