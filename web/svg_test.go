package web

import (
	"encoding/xml"
	"strings"
	"testing"
)

// Charts are well-formed SVG whatever the labels hold, with exact value text.
func TestChartsAreWellFormedAndEscaped(t *testing.T) {
	data := []datum{{Label: "<script>", Value: 10, Text: "10.00 EUR"}, {Label: "a&b", Value: 2.5, Text: "2.50 EUR"}, {Label: "zero", Value: 0, Text: "0.00 EUR"}}
	for name, svg := range map[string]string{
		"column":       string(columnChart("Volume <EUR>", data, 400, 200, colorFor(0))),
		"bar":          string(barChart("Top & users", data, 400, colorFor(1))),
		"empty column": string(columnChart("none", nil, 400, 200, colorFor(2))),
		"empty bar":    string(barChart("none", nil, 400, colorFor(3))),
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
