package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in     string
		want   float64
		wantOK bool
	}{
		{"20/s", 20, true},
		{"20", 20, true},
		{"600/m", 10, true},
		{"3600/h", 1, true},
		{"0", 0, true},
		{" 2.5 / s ", 2.5, true},
		{"", 0, false},
		{"-1/s", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"5/d", 0, false},
		{"fast", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err == nil) != tt.wantOK || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.wantOK)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"48h", 48 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"30d", 30 * 24 * time.Hour, true},
		{"0", 0, true},
		{"0d", 0, true},
		{"-1h", 0, false},
		{"-3d", 0, false},
		{"1.5d", 0, false},
		{"d", 0, false},
		{"99999999999d", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err == nil) != tt.wantOK || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.wantOK)
		}
	}
}

// FuzzSetters: no value of any setting may panic, and a secret never comes
// back verbatim from redaction.
func FuzzSetters(f *testing.F) {
	for _, seed := range []string{"", "abc", "20/s", "48h", "host:1", "postgres://u:p@h/d", "password='x y'", "\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, k := range Keys() {
			s := Default()
			_ = k.def().set(s, raw)
			if k == APIToken && len(raw) > 5 && redact(k, raw) == raw {
				t.Fatalf("token %q printed verbatim", raw)
			}
		}
	})
}

func TestTrustedProxies(t *testing.T) {
	var s Settings
	if err := setTrustedProxies(&s, " 10.0.0.5, 192.168.1.7/24,::1 ,"); err != nil {
		t.Fatal(err)
	}
	if s.TrustedProxies != "10.0.0.5/32,192.168.1.0/24,::1/128" || len(s.Proxies()) != 3 {
		t.Fatalf("%q → %v", s.TrustedProxies, s.Proxies())
	}
	if err := setTrustedProxies(&s, "10.0.0.5,proxy.local"); err == nil || !strings.Contains(err.Error(), "proxy.local") {
		t.Fatalf("a host name: %v", err)
	}
	if err := setTrustedProxies(&s, ""); err != nil || s.Proxies() != nil {
		t.Fatalf("empty: %v %v", err, s.Proxies())
	}
}
