package produce

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progressBar draws one self-overwriting line on a terminal:
// "[#####.....]  52%  52000/100000  98123 msg/s". Without a known total it
// shows the count and rate only. Updates are throttled to ten a second.
type progressBar struct {
	w     io.Writer
	total int
	start time.Time

	mu   sync.Mutex
	last time.Time
}

const barWidth = 30

func newProgressBar(w io.Writer, total int) *progressBar {
	return &progressBar{w: w, total: total, start: time.Now()}
}

func (p *progressBar) update(done int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		p.draw(done)
	}
}

func (p *progressBar) finish(done int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw(done)
	fmt.Fprintln(p.w)
}

func (p *progressBar) draw(done int64) {
	rate := 0.0
	if el := time.Since(p.start).Seconds(); el > 0 {
		rate = float64(done) / el
	}
	if p.total <= 0 {
		fmt.Fprintf(p.w, "\r%d sent  %.0f msg/s ", done, rate)
		return
	}
	frac := min(float64(done)/float64(p.total), 1)
	filled := int(frac * barWidth)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  %d/%d  %.0f msg/s ",
		strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), frac*100, done, p.total, rate)
}
