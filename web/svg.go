package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn on the server as inline SVG: no JavaScript library, no
// build step, and they render in any browser and in tests as plain markup.
// Values are float64 for geometry only; every label shows the exact decimal
// text it was given.

// datum is one bar: its label, its value for drawing and the exact text.
type datum struct {
	Label string
	Value float64
	Text  string
}

const (
	chartPad    = 28 // room for axis labels
	chartBarGap = 0.2
)

// palette has 16 colours that stay apart, so that the currencies of a
// typical lake (a dozen or so) each keep their own.
var palette = []string{"#017cee", "#2e7d32", "#f9a825", "#d32f2f", "#6a1b9a", "#00838f", "#ef6c00", "#5d4037",
	"#7cb342", "#c2185b", "#3949ab", "#9e9d24", "#00acc1", "#8d6e63", "#546e7a", "#ff7043"}

// colorFor picks a stable colour per series index.
func colorFor(i int) string { return palette[((i%len(palette))+len(palette))%len(palette)] }

// barChart draws horizontal bars, top to bottom (a ranking), each labelled
// on the left with its exact value at the bar's end.
func barChart(title string, data []datum, width int, color string) template.HTML {
	const rowH, labelW, valueW = 22, 140, 110
	height := chartPad + rowH*max(len(data), 1) + 6
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(title), width, height, width, height)
	fmt.Fprintf(&b, `<title>%s</title><text x="2" y="%d">%s</text>`, html.EscapeString(title), chartPad-10, html.EscapeString(title))
	maxV := maxValue(data)
	plotW := float64(width - labelW - valueW)
	for i, d := range data {
		y := chartPad + i*rowH
		w := 0.0
		if maxV > 0 {
			w = plotW * math.Max(d.Value, 0) / maxV
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelW-6, y+rowH/2+4, html.EscapeString(d.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`,
			labelW, y+3, w, rowH-6, color, html.EscapeString(d.Label), html.EscapeString(d.Text))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`, float64(labelW)+w+4, y+rowH/2+4, html.EscapeString(d.Text))
	}
	if len(data) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">no data</text>`, labelW, chartPad+14)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func maxValue(data []datum) float64 {
	m := 0.0
	for _, d := range data {
		if d.Value > m && !math.IsInf(d.Value, 0) && !math.IsNaN(d.Value) {
			m = d.Value
		}
	}
	return m
}
