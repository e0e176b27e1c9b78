package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// series is one stack layer of a stackedChart: a name, its colour, and per
// column a value (for drawing) and the exact text shown on hover.
type series struct {
	Name, Color string
	Values      []float64
	Texts       []string
}

// stackedChart draws one column per label, each stacked from its series
// (bottom to top in order), with the largest column total on the y axis.
// Only quantities that add up belong in it (counts, never amounts of
// different currencies).
func stackedChart(title string, labels []string, layers []series, width, height int) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(title), width, height, width, height)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	totals := make([]float64, len(labels))
	for _, l := range layers {
		for i := range labels {
			if i < len(l.Values) && l.Values[i] > 0 && !math.IsInf(l.Values[i], 0) {
				totals[i] += l.Values[i]
			}
		}
	}
	top := 0.0
	for _, t := range totals {
		top = math.Max(top, t)
	}
	plotW, plotH := float64(width-2*chartPad), float64(height-2*chartPad)
	base := float64(height - chartPad)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#b8c2cc"/>`, chartPad, height-chartPad, width-chartPad, height-chartPad)
	if len(labels) == 0 || top <= 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">no data</text></svg>`, width/2-20, height/2)
		return template.HTML(b.String())
	}
	fmt.Fprintf(&b, `<text x="2" y="%d">max %s per day</text>`, chartPad-8, html.EscapeString(trimFloat(top)))
	slot := plotW / float64(len(labels))
	barW := math.Min(slot*(1-chartBarGap), 64)
	labelEvery := int(math.Ceil(float64(len(labels)) * 60 / plotW)) // ~60 px per label
	for i, label := range labels {
		x := float64(chartPad) + float64(i)*slot + (slot-barW)/2
		y := base
		for _, l := range layers {
			if i >= len(l.Values) || l.Values[i] <= 0 || math.IsInf(l.Values[i], 0) {
				continue
			}
			h := plotH * l.Values[i] / top
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`,
				x, y, barW, h, l.Color, html.EscapeString(label), html.EscapeString(l.Name), html.EscapeString(l.Texts[i]))
		}
		if i%labelEvery == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+barW/2, height-chartPad+14, html.EscapeString(label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// sparkBars is a small column chart without axes, on its own scale: a
// currency's daily amounts, to see its trend next to the exact figures.
func sparkBars(label string, values []float64, texts []string, color string) template.HTML {
	const w, h = 120, 24
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(label), w, h, w, h)
	top := 0.0
	for _, v := range values {
		if !math.IsInf(v, 0) {
			top = math.Max(top, v)
		}
	}
	if n := len(values); n > 0 && top > 0 {
		slot := float64(w) / float64(n)
		for i, v := range values {
			if v <= 0 || math.IsInf(v, 0) {
				continue
			}
			bh := math.Max(1, float64(h)*v/top)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
				float64(i)*slot+slot*0.1, float64(h)-bh, slot*0.8, bh, color, html.EscapeString(texts[i]))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// trimFloat prints a count without a fraction and anything else briefly.
func trimFloat(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
