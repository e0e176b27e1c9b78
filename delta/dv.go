package delta

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/RoaringBitmap/roaring/v2/roaring64"
	"github.com/google/uuid"
)

// DeletionVector is the log's descriptor of a deletion vector: the set of
// row positions of one data file that a DELETE, UPDATE or MERGE removed
// without rewriting the file (Delta's deletionVectors feature).
type DeletionVector struct {
	// StorageType is "u" (a file beside the data, named by a UUID), "i"
	// (inline in the log) or "p" (a file at an absolute path).
	StorageType string `json:"storageType"`
	// PathOrInlineDv is the Z85-encoded UUID (with an optional random
	// prefix) for "u", the Z85-encoded bitmap for "i", the path for "p".
	PathOrInlineDv string `json:"pathOrInlineDv"`
	// Offset is where the vector starts in its file (absent for inline).
	Offset *int32 `json:"offset,omitempty"`
	// SizeInBytes is the size of the serialized bitmap.
	SizeInBytes int32 `json:"sizeInBytes"`
	// Cardinality is the number of rows the vector removes.
	Cardinality int64 `json:"cardinality"`
}

// uniqueID identifies the vector among those of one data file: a data file
// path and this id are the log's key of a logical file.
func (dv *DeletionVector) uniqueID() string {
	if dv == nil {
		return ""
	}
	id := dv.StorageType + dv.PathOrInlineDv
	if dv.Offset != nil {
		id += "@" + strconv.Itoa(int(*dv.Offset))
	}
	return id
}

// validate checks the descriptor's fields as the log states them; nil is a
// file without a deletion vector.
func (dv *DeletionVector) validate() error {
	if dv == nil {
		return nil
	}
	switch dv.StorageType {
	case "u", "i", "p":
	default:
		return fmt.Errorf("deletion vector has unknown storageType %q", dv.StorageType)
	}
	if dv.PathOrInlineDv == "" {
		return fmt.Errorf("deletion vector has no pathOrInlineDv")
	}
	if dv.SizeInBytes < 0 || dv.Cardinality < 0 || (dv.Offset != nil && *dv.Offset < 0) {
		return fmt.Errorf("deletion vector has a negative offset, size or cardinality")
	}
	return nil
}

// dvMagic starts every serialized deletion vector (little endian), before
// the 64-bit Roaring bitmap in the "portable" format.
const dvMagic = 1681511377

// dvFileVersion is the first byte of a deletion vector file.
const dvFileVersion = 1

// maxDVBytes bounds one serialized deletion vector, so that a damaged
// descriptor cannot make the reader allocate gigabytes (a vector of every
// row of a 2-billion-row file, run-length encoded, is far smaller).
const maxDVBytes = 256 << 20

// dvLocation is where a deletion vector's bytes live: inline (data set) or
// in a file (path relative to the table root, or absolute, and the offset
// of the vector's size field in it).
type dvLocation struct {
	inline   []byte
	file     string // slash-separated; relative to the table root unless abs
	abs      bool
	offset   int64
	describe string // for errors: the file's name or "inline deletion vector"
}

// location decodes where the vector's bytes are.
func (dv *DeletionVector) location() (dvLocation, error) {
	switch dv.StorageType {
	case "i":
		b, err := z85Decode(dv.PathOrInlineDv)
		if err != nil {
			return dvLocation{}, fmt.Errorf("inline deletion vector: %v", err)
		}
		if int(dv.SizeInBytes) > len(b) {
			return dvLocation{}, fmt.Errorf("inline deletion vector has %d bytes, the log says %d", len(b), dv.SizeInBytes)
		}
		return dvLocation{inline: b[:dv.SizeInBytes], describe: "inline deletion vector"}, nil
	case "u":
		// <random prefix><20 characters: the Z85-encoded UUID>; the prefix
		// is a folder under the table root.
		p := dv.PathOrInlineDv
		if len(p) < 20 {
			return dvLocation{}, fmt.Errorf("deletion vector path %q is shorter than a Z85 UUID", p)
		}
		raw, err := z85Decode(p[len(p)-20:])
		if err != nil {
			return dvLocation{}, fmt.Errorf("deletion vector path %q: %v", p, err)
		}
		id, err := uuid.FromBytes(raw)
		if err != nil {
			return dvLocation{}, fmt.Errorf("deletion vector path %q: %v", p, err)
		}
		prefix := p[:len(p)-20]
		if strings.ContainsFunc(prefix, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) {
			return dvLocation{}, fmt.Errorf("deletion vector path %q has an invalid prefix", p)
		}
		file := path.Join(prefix, "deletion_vector_"+id.String()+".bin")
		return dvLocation{file: file, offset: int64(deref(dv.Offset)), describe: file}, nil
	case "p":
		// An absolute path, as an add's path is a URI: only local files.
		u, err := url.Parse(dv.PathOrInlineDv)
		if err != nil || (u.Scheme != "" && u.Scheme != "file") || !strings.HasPrefix(u.Path, "/") {
			return dvLocation{}, fmt.Errorf("deletion vector path %q is not a local absolute path", dv.PathOrInlineDv)
		}
		return dvLocation{file: u.Path, abs: true, offset: int64(deref(dv.Offset)), describe: u.Path}, nil
	}
	return dvLocation{}, fmt.Errorf("deletion vector has unknown storageType %q", dv.StorageType)
}

// deletedRows loads the deletion vector of a data file: the positions
// (from 0) of the rows no longer in the table. Every check that can fail
// does, naming the file: a missing, truncated or mismatched vector must
// never read as "nothing deleted". checkDVFits checks it against the data
// file once that is open.
func (s *Snapshot) deletedRows(ctx context.Context, add AddFile) (*roaring64.Bitmap, error) {
	dv := add.DeletionVector
	loc, err := dv.location()
	if err != nil {
		return nil, fmt.Errorf("%w: data file %s: %v", ErrCorruptLog, add.Path, err)
	}
	data := loc.inline
	if loc.inline == nil {
		store, key := s.root, loc.file
		if loc.abs { // a local absolute path: the file's own folder is its store
			store, key = fileStore{filepath.Dir(filepath.FromSlash(loc.file))}, path.Base(loc.file)
		}
		data, err = readDVFile(ctx, store, key, loc.offset, dv.SizeInBytes)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: deletion vector %s of data file %s is referenced by version %d but is not on disk",
				ErrFileMissing, loc.describe, add.Path, s.version)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: deletion vector %s of data file %s: %v", ErrCorruptFile, loc.describe, add.Path, err)
		}
	}
	bm, err := decodeDVBitmap(data)
	if c := uint64(0); err == nil {
		if c = bm.GetCardinality(); c != uint64(dv.Cardinality) {
			err = fmt.Errorf("the vector removes %d rows, the log says %d", c, dv.Cardinality)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s of data file %s: %v", ErrCorruptFile, loc.describe, add.Path, err)
	}
	return bm, nil
}

// readDVFile reads one deletion vector out of a deletion vector file: the
// version byte, then at offset the big-endian size, the bitmap and the
// big-endian CRC-32 of the bitmap.
func readDVFile(ctx context.Context, root storage, key string, offset int64, size int32) ([]byte, error) {
	f, err := root.openFile(ctx, key)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseDVFile(f, f.Size(), offset, size)
}

// parseDVFile is readDVFile on the file's content (r of length n).
func parseDVFile(r io.ReaderAt, n, offset int64, size int32) ([]byte, error) {
	if size < 0 || size > maxDVBytes {
		return nil, fmt.Errorf("the log gives an invalid size %d", size)
	}
	var version [1]byte
	if _, err := r.ReadAt(version[:], 0); err != nil {
		return nil, fmt.Errorf("empty file")
	}
	if version[0] != dvFileVersion {
		return nil, fmt.Errorf("file format version %d, want %d", version[0], dvFileVersion)
	}
	if offset < 1 || offset+8+int64(size) > n {
		return nil, fmt.Errorf("truncated: the vector at offset %d with %d bytes does not fit in the file's %d bytes", offset, size, n)
	}
	buf := make([]byte, 4+int(size)+4)
	if _, err := r.ReadAt(buf, offset); err != nil {
		return nil, fmt.Errorf("read at offset %d: %v", offset, err)
	}
	if got := binary.BigEndian.Uint32(buf); got != uint32(size) {
		return nil, fmt.Errorf("the vector at offset %d has %d bytes, the log says %d", offset, got, size)
	}
	data := buf[4 : 4+size]
	if want, got := binary.BigEndian.Uint32(buf[4+size:]), crc32.ChecksumIEEE(data); want != got {
		return nil, fmt.Errorf("checksum mismatch at offset %d: stored %08x, computed %08x", offset, want, got)
	}
	return data, nil
}

// decodeDVBitmap decodes a serialized deletion vector: a magic number and
// a 64-bit Roaring bitmap, decoded and validated by the Roaring library.
// Spark writes the "portable" format (little-endian magic 1681511377, then
// the standard 64-bit serialization); the protocol's own inline example is
// in Delta's older "native" format (big-endian magic 1681511376, a count
// of 32-bit bitmaps, each preceded by its size), which is read too.
func decodeDVBitmap(data []byte) (*roaring64.Bitmap, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("not a deletion vector (%d bytes)", len(data))
	}
	var bm *roaring64.Bitmap
	var err error
	switch {
	case binary.LittleEndian.Uint32(data) == dvMagic:
		bm, err = decodePortable(data[4:])
	case binary.BigEndian.Uint32(data) == dvMagicNative:
		bm, err = decodeNative(data[4:])
	default:
		return nil, fmt.Errorf("not a deletion vector (bad magic number)")
	}
	if err != nil {
		return nil, fmt.Errorf("invalid bitmap: %v", err)
	}
	if err := bm.Validate(); err != nil {
		return nil, fmt.Errorf("invalid bitmap: %v", err)
	}
	return bm, nil
}

// dvMagicNative starts a deletion vector in Delta's native format.
const dvMagicNative = 1681511376

func decodePortable(data []byte) (*roaring64.Bitmap, error) {
	bm := roaring64.New()
	r := bytes.NewReader(data)
	if _, err := bm.ReadPortableFrom(r); err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%d bytes after the bitmap", r.Len())
	}
	return bm, nil
}

// decodeNative reads the native format: bitmap i holds the values whose
// high 32 bits are i. Each is a standard 32-bit Roaring serialization, so
// the bitmaps are reframed as the portable format (a bucket count, then
// each bucket's key and bitmap) and decoded by the library in one pass,
// without visiting the values.
func decodeNative(data []byte) (*roaring64.Bitmap, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("no bitmap count")
	}
	count := binary.BigEndian.Uint32(data)
	data = data[4:]
	if uint64(count)*4 > uint64(len(data)) {
		return nil, fmt.Errorf("%d bitmaps do not fit in %d bytes", count, len(data))
	}
	portable := binary.LittleEndian.AppendUint64(make([]byte, 0, len(data)+8), uint64(count))
	for i := uint32(0); i < count; i++ {
		if len(data) < 4 {
			return nil, fmt.Errorf("bitmap %d: no size", i)
		}
		size := binary.BigEndian.Uint32(data)
		if uint64(size) > uint64(len(data)-4) {
			return nil, fmt.Errorf("bitmap %d: %d bytes do not fit in %d", i, size, len(data)-4)
		}
		part := data[4 : 4+size]
		// The size must be the bitmap's exactly, or the reframing would
		// read the rest as the next bucket.
		if n, err := roaring.New().ReadFrom(bytes.NewReader(part)); err != nil || n != int64(size) {
			return nil, fmt.Errorf("bitmap %d: its %d bytes are not one bitmap (%v)", i, size, err)
		}
		portable = binary.LittleEndian.AppendUint32(portable, i)
		portable = append(portable, part...)
		data = data[4+size:]
	}
	if len(data) != 0 {
		return nil, fmt.Errorf("%d bytes after the bitmaps", len(data))
	}
	return decodePortable(portable)
}

// checkDVFits checks that a data file of numRows rows has every row its
// deletion vector (deleted, nil for none) removes: a vector beyond the
// file's end belongs to another file.
func checkDVFits(deleted *roaring64.Bitmap, add AddFile, numRows int64) error {
	if deleted == nil || deleted.IsEmpty() || deleted.Maximum() < uint64(numRows) {
		return nil
	}
	what := "inline deletion vector"
	if loc, err := add.DeletionVector.location(); err == nil {
		what = loc.describe
	}
	return fmt.Errorf("%w: %s of data file %s removes row %d, but the file has %d rows",
		ErrCorruptFile, what, add.Path, deleted.Maximum(), numRows)
}

// z85Alphabet is Z85's (ZeroMQ RFC 32) digit order, the Base85 variant the
// Delta protocol uses because it needs no escaping in JSON.
const z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

var z85Values = func() (v [256]byte) {
	for i := range v {
		v[i] = 0xff
	}
	for i := 0; i < len(z85Alphabet); i++ {
		v[z85Alphabet[i]] = byte(i)
	}
	return v
}()

// z85Decode decodes Z85 text (a multiple of 5 characters) into 4 bytes per
// 5 characters.
func z85Decode(s string) ([]byte, error) {
	if len(s)%5 != 0 {
		return nil, fmt.Errorf("Z85 text of %d characters is not a multiple of 5", len(s))
	}
	out := make([]byte, 0, len(s)/5*4)
	for i := 0; i < len(s); i += 5 {
		var v uint64
		for _, c := range []byte(s[i : i+5]) {
			d := z85Values[c]
			if d == 0xff {
				return nil, fmt.Errorf("invalid Z85 character %q", c)
			}
			v = v*85 + uint64(d)
		}
		if v > 0xffffffff {
			return nil, fmt.Errorf("invalid Z85 group %q", s[i:i+5])
		}
		out = binary.BigEndian.AppendUint32(out, uint32(v))
	}
	return out, nil
}
