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

var palette = []string{"#017cee", "#2e7d32", "#f9a825", "#d32f2f", "#6a1b9a", "#00838f", "#ef6c00", "#5d4037"}

// colorFor picks a stable colour per series index.
func colorFor(i int) string { return palette[((i%len(palette))+len(palette))%len(palette)] }

// columnChart draws vertical bars, one per datum, left to right, with the
// maximum on the y axis and every label under its bar when they fit.
func columnChart(title string, data []datum, width, height int, color string) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(title), width, height, width, height)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	max := maxValue(data)
	plotW, plotH := float64(width-2*chartPad), float64(height-2*chartPad)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#b8c2cc"/>`, chartPad, height-chartPad, width-chartPad, height-chartPad)
	fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, 2, chartPad-8, html.EscapeString(title))
	if len(data) == 0 || max <= 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">no data</text></svg>`, width/2-20, height/2)
		return template.HTML(b.String())
	}
	slot := plotW / float64(len(data))
	barW := math.Min(slot*(1-chartBarGap), 36)                    // a few days must not make slabs
	labelEvery := int(math.Ceil(float64(len(data)) * 60 / plotW)) // ~60 px per label
	for i, d := range data {
		h := plotH * math.Max(d.Value, 0) / max
		x := float64(chartPad) + float64(i)*slot + (slot-barW)/2
		y := float64(height-chartPad) - h
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`,
			x, y, barW, h, color, html.EscapeString(d.Label), html.EscapeString(d.Text))
		if i%labelEvery == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+barW/2, height-chartPad+14, html.EscapeString(d.Label))
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">max %s</text>`, width-2, chartPad-8, html.EscapeString(maxText(data)))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

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

func maxText(data []datum) string {
	m, text := math.Inf(-1), ""
	for _, d := range data {
		if d.Value > m {
			m, text = d.Value, d.Text
		}
	}
	return text
}
