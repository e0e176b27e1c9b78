//go:build linux && !musl

package kafka

// #include <malloc.h>
import "C"

// releaseFreedC hands the C heap's free memory back to the OS. librdkafka
// allocates its fetch buffers, queues and per-broker state with malloc,
// on threads of its own; glibc gives such threads arenas of their own and
// keeps what they free for reuse, so the memory of closed consumers stays
// resident: in `finpipe bench pipeline` some 55 MB beyond the process's
// idle size, all through the clean and aggregate steps that followed
// ingest, which is where the process's peak RSS is. Trimming costs a walk
// of the arenas, once per read.
func releaseFreedC() { C.malloc_trim(0) }
