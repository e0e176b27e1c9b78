package delta

import "fmt"

// recoverParquet turns a panic raised inside parquet-go, which panics on
// some damaged files instead of returning an error, into an error naming
// file, so that a bad file never crashes the process reading it. Use it as
// `defer recoverParquet(&err, file, nil)`. When inCallback is set and
// true, the panic came from the caller's own code and is re-raised.
func recoverParquet(err *error, file string, inCallback *bool) {
	p := recover()
	if p == nil {
		return
	}
	if inCallback != nil && *inCallback {
		panic(p)
	}
	*err = fmt.Errorf("%w: damaged parquet file %s: %v", ErrCorruptFile, file, p)
}
