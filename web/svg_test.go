package web

import (
	"encoding/xml"
	"strings"
	"testing"
)

// Charts are well-formed SVG whatever the labels hold, with exact value text.
func TestChartsAreWellFormedAndEscaped(t *testing.T) {
	t.Parallel()
	data := []datum{{Label: "<script>", Value: 10, Text: "10.00 EUR"}, {Label: "a&b", Value: 2.5, Text: "2.50 EUR"}, {Label: "zero", Value: 0, Text: "0.00 EUR"}}
	for name, svg := range map[string]string{
		"stacked": string(stackedChart("Volume <EUR>", []string{"<a>", "b&c"}, []series{
			{Name: "<EUR>", Color: colorFor(0), Values: []float64{3, 0}, Texts: []string{"3 <tx>", "0"}},
			{Name: "USD", Color: colorFor(1), Values: []float64{1, 2}, Texts: []string{"1", "2"}}}, 400, 200)),
		"bar":           string(barChart("Top & users", data, 400, colorFor(1))),
		"empty stacked": string(stackedChart("none", nil, nil, 400, 200)),
		"empty bar":     string(barChart("none", nil, 400, colorFor(3))),
		"spark":         string(sparkBars("<x>", []float64{1, 0, 2}, []string{"<1>", "0", "2"}, colorFor(2))),
	} {
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("%s: not well-formed: %v\n%s", name, err, svg)
		}
		if strings.Contains(svg, "<script>") {
			t.Errorf("%s: label not escaped", name)
		}
	}
	if svg := string(barChart("t", data, 400, "#000")); !strings.Contains(svg, "10.00 EUR") || strings.Count(svg, "<rect") != 3 {
		t.Errorf("bar chart lost values: %s", svg)
	}
}

// A stacked column has one segment per non-zero value, each with its text.
func TestStackedChartSegments(t *testing.T) {
	t.Parallel()
	svg := string(stackedChart("t", []string{"05-01", "05-02"}, []series{
		{Name: "EUR", Color: "#000", Values: []float64{3, 0}, Texts: []string{"3 transactions, 12.00 EUR", "none"}},
		{Name: "USD", Color: "#111", Values: []float64{1, 2}, Texts: []string{"1 transactions, 1.00 USD", "2 transactions, 5.50 USD"}}}, 400, 200))
	if n := strings.Count(svg, "<rect"); n != 3 || !strings.Contains(svg, "05-02, USD: 2 transactions, 5.50 USD") || !strings.Contains(svg, "max 4 per day") {
		t.Errorf("%d segments: %s", n, svg)
	}
}
