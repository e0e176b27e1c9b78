package delta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/RoaringBitmap/roaring/v2/roaring64"
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
// filter (nil for all), file after file in Files() order, on the caller's
// goroutine (files are decoded in parallel ahead of it). Each Row is newly
// allocated and may be kept. An error from fn stops the scan and is
// returned.
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
	var files []AddFile
	for _, f := range s.Files() {
		if filter == nil || filter(f.PartitionValues) {
			files = append(files, f)
		}
	}
	return s.scanAll(ctx, files, proj, fn)
}

// projected is one output column of a scan.
type projected struct {
	field     Field
	dt        dataType
	partition bool
	// phys is where the column lives in data files (its own name unless
	// the table uses column mapping, whose mode is mapping).
	phys    physicalColumn
	mapping string
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
	mode, err := columnMappingMode(s.st.protocol, s.st.metadata)
	if err != nil {
		return nil, err
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
		phys, err := physical(f, mode)
		if err != nil {
			return nil, err
		}
		out[i] = projected{field: f, dt: dt, partition: isPart[name], phys: phys, mapping: mode}
	}
	return out, nil
}

// scanFile reads one data file, less the rows its deletion vector marks.
func (s *Snapshot) scanFile(ctx context.Context, add AddFile, proj []projected, fn func(Row) error) error {
	return s.scanAll(ctx, []AddFile{add}, proj, fn)
}

// decodeFile reads one data file, less the rows deleted (its deletion
// vector, loaded; nil for none) marks, and hands its rows to emit in
// batches, in file order. Errors from emit are returned as they are.
func (s *Snapshot) decodeFile(ctx context.Context, add AddFile, deleted *roaring64.Bitmap, proj []projected, emit func([]Row) error) (err error) {
	// No caller code runs here (emit only queues), so any panic is
	// parquet-go's on a damaged file.
	defer recoverParquet(&err, add.Path, nil)
	f, err := s.root.openFile(ctx, add.Path)
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
	// Rows a deletion vector marks are skipped by their position in the
	// file, counted across row groups.
	if err := checkDVFits(deleted, add, pf.NumRows()); err != nil {
		return err
	}
	// Partition values are the same for the whole file; data columns are
	// found by name (files may lack columns added later: those read as
	// null). Only the projected columns are read.
	template := make(Row, len(proj))
	var cols []leafDecoder
	for i, p := range proj {
		if p.partition {
			v, err := parsePartitionValue(p.field, p.dt, add.PartitionValues[p.field.Name])
			if err != nil {
				return fmt.Errorf("delta: data file %s: %w", add.Path, err)
			}
			template[i] = v
			continue
		}
		leaf, ok := p.phys.lookup(p.mapping, pf)
		if !ok || leaf.MaxRepetitionLevel > 0 {
			continue
		}
		dec, err := newDecoder(p.field, p.dt, leaf.Node)
		if err != nil {
			return fmt.Errorf("%w (file %s)", err, add.Path)
		}
		cols = append(cols, leafDecoder{leaf: leaf.ColumnIndex, out: i, dec: dec})
	}
	rg := rowGroupReader{file: add.Path, deleted: deleted, template: template, cols: cols,
		values: make([]parquet.Value, scanBatchRows), emit: emit}
	for _, g := range pf.RowGroups() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := rg.read(g); err != nil {
			return err // emit's own error, or one naming the file
		}
	}
	return nil
}
