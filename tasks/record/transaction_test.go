package record

import (
	"encoding/json"
	"testing"
)

func TestAppendJSONString(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          `"plain"`,
		"":               `""`,
		"q\"b\\n\n\x01":  `"q\"b\\n\u000a\u0001"`,
		"café 😀":         `"café 😀"`,
		"bad \xff utf-8": "\"bad \ufffd utf-8\"",
	} {
		if got := string(AppendJSONString(nil, in)); got != want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", in, got, want)
		}
	}
}

// FuzzAppendJSONString checks that the output is valid JSON that decodes as
// encoding/json's own encoding of the same string does.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"a", "\"\\", "\x00\x1f", "é\xff\xfe", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var ours, theirs string
		if err := json.Unmarshal(AppendJSONString(nil, s), &ours); err != nil {
			t.Fatalf("invalid JSON for %q: %v", s, err)
		}
		ref, _ := json.Marshal(s)
		if err := json.Unmarshal(ref, &theirs); err != nil {
			t.Fatal(err)
		}
		if ours != theirs {
			t.Fatalf("%q decodes as %q, encoding/json's as %q", s, ours, theirs)
		}
	})
}
