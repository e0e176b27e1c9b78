//go:build !linux || musl

package kafka

// releaseFreedC has nothing to do where the C allocator is not glibc's
// (musl and other systems return freed memory themselves or offer no
// malloc_trim).
func releaseFreedC() {}
