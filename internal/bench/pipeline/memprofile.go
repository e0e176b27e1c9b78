package pipeline

import (
	"bytes"
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// peakHeapProfiler keeps the heap profile taken when the live heap (as the
// last GC marked it, which is also what a heap profile shows) was largest,
// for --memprofile: a profile written at the end shows what is left, not
// what the peak was made of.
type peakHeapProfiler struct {
	stop chan struct{}
	done chan struct{}
	best bytes.Buffer
	peak uint64
	// goPeak is the most memory the Go runtime held from the OS at once
	// (heap, stacks, metadata): what of the peak RSS is Go's.
	goPeak uint64
	// rssPeak is the largest resident set sampled and goAtRSSPeak what Go
	// held then: the rest is C memory (librdkafka) and the binary.
	rssPeak, goAtRSSPeak uint64
	// liveAtRSSPeak is the live heap then; rssStart and goStart are the
	// first sample's (the floor: binary, runtime, idle clients).
	liveAtRSSPeak, rssStart, goStart uint64
}

// startPeakHeapProfiler samples the live heap every 50 ms and profiles
// whenever it grew 2% past the largest seen.
func startPeakHeapProfiler() *peakHeapProfiler {
	p := &peakHeapProfiler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			t := sample[1].Value.Uint64() - sample[2].Value.Uint64()
			if t > p.goPeak {
				p.goPeak = t
			}
			rss := residentBytes()
			if p.rssStart == 0 {
				p.rssStart, p.goStart = rss, t
			}
			if rss > p.rssPeak {
				p.rssPeak, p.goAtRSSPeak, p.liveAtRSSPeak = rss, t, sample[0].Value.Uint64()
			}
			if v := sample[0].Value.Uint64(); v > p.peak+p.peak/50 {
				p.peak = v
				p.best.Reset()
				_ = pprof.Lookup("heap").WriteTo(&p.best, 0)
			}
		}
	}()
	return p
}

// residentBytes is this process's resident set now (Linux), 0 if unknown.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident uint64
	if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
		return 0
	}
	return resident * uint64(os.Getpagesize())
}

// writeTo stops sampling and writes the peak's profile to path.
func (p *peakHeapProfiler) writeTo(path string) error {
	close(p.stop)
	<-p.done
	return os.WriteFile(path, p.best.Bytes(), 0o644)
}
