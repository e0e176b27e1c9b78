package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The setters below parse one raw value into its typed field. Their errors
// describe what a valid value looks like; the caller adds the setting's name
// and the value given.

func setNonEmpty(dst *string, raw string) error {
	if strings.TrimSpace(raw) == "" {
		return errors.New("must not be empty")
	}
	*dst = raw
	return nil
}

func setOneOf(dst *string, raw string, allowed ...string) error {
	v := strings.ToLower(strings.TrimSpace(raw))
	for _, a := range allowed {
		if v == a {
			*dst = v
			return nil
		}
	}
	return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
}

func setPositiveInt(dst *int, raw string) error {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n <= 0 {
		return errors.New("must be a positive integer")
	}
	*dst = n
	return nil
}

// setHostPort accepts "host:port" or ":port"; optional allows empty (off).
func setHostPort(dst *string, raw string, optional bool) error {
	v := strings.TrimSpace(raw)
	if v == "" && optional {
		*dst = ""
		return nil
	}
	if err := checkHostPort(v); err != nil {
		return err
	}
	*dst = v
	return nil
}

func checkHostPort(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("must be host:port, such as 127.0.0.1:8080 or :8080")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return errors.New("port must be a number from 0 to 65535")
	}
	return nil
}

func setBrokers(s *Settings, raw string) error {
	var list []string
	for _, b := range strings.Split(raw, ",") {
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		if checkHostPort(b) != nil {
			return errors.New("must be a comma-separated list of host:port, such as kafka:9092")
		}
		list = append(list, b)
	}
	s.KafkaBrokers = strings.Join(list, ",")
	return nil
}

// topicName is Kafka's own rule for legal topic names.
var topicName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,249}$`)

func setTopic(s *Settings, raw string) error {
	v := strings.TrimSpace(raw)
	if !topicName.MatchString(v) || v == "." || v == ".." {
		return errors.New("must be a Kafka topic name: 1-249 of A-Z a-z 0-9 . _ -")
	}
	s.Topic = v
	return nil
}

// MinAPITokenLen rejects tokens short enough to guess.
const MinAPITokenLen = 16

// placeholder starts the secrets in .env.example, which must never reach a
// running stack.
const placeholder = "change-me"

func setAPIToken(s *Settings, raw string) error {
	switch {
	case raw == "":
	case strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' }) >= 0:
		return errors.New("must not contain spaces or control characters")
	case len(raw) < MinAPITokenLen:
		return fmt.Errorf("must be at least %d characters (e.g. openssl rand -hex 32)", MinAPITokenLen)
	case strings.HasPrefix(raw, placeholder):
		return errors.New("is the .env.example placeholder; generate one with openssl rand -hex 32")
	}
	s.APIToken = raw
	return nil
}

// setTrustedProxies checks and normalises "10.0.0.5, 192.168.0.0/24, ::1"
// to CIDRs ("10.0.0.5/32,192.168.0.0/24,::1/128"), which Proxies reads.
func setTrustedProxies(s *Settings, raw string) error {
	var out []string
	for _, f := range strings.Split(raw, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return fmt.Errorf("%q is neither an IP address nor a CIDR such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked().String())
	}
	s.TrustedProxies = strings.Join(out, ",")
	return nil
}

// setDatabaseURL checks the form only; whether the server answers is the
// store's business at connect time. Empty means the embedded server.
func setDatabaseURL(s *Settings, raw string) error {
	v := strings.TrimSpace(raw)
	switch {
	case v == "":
	case strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://"):
		u, err := url.Parse(v)
		if err != nil {
			return errors.New("is not a valid URL")
		}
		if pw, _ := u.User.Password(); strings.HasPrefix(pw, placeholder) {
			return errors.New("has the .env.example placeholder password; set POSTGRES_PASSWORD in .env")
		}
	case strings.Contains(v, "="):
		for _, field := range strings.Fields(v) {
			if !strings.Contains(field, "=") {
				return errors.New("key=value connection string has a word without '='")
			}
		}
	default:
		return errors.New("must be a postgres:// URL or a key=value connection string")
	}
	s.DatabaseURL = v
	return nil
}

func setLogLevel(s *Settings, raw string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(raw))); err != nil {
		return errors.New("must be debug, info, warn or error")
	}
	s.LogLevel = strings.ToLower(strings.TrimSpace(raw))
	return nil
}

func setDuration(dst *time.Duration, raw string) error {
	d, err := ParseDuration(raw)
	if err != nil {
		return err
	}
	*dst = d
	return nil
}

// ParseDuration reads a non-negative Go duration ("90m", "48h") and also
// whole days ("2d", "30d"), the unit retention and lateness are thought in.
func ParseDuration(raw string) (time.Duration, error) {
	v := strings.TrimSpace(raw)
	bad := errors.New("must be a duration such as 48h, 90m or 2d")
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100_000 {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}

func setRate(dst *float64, raw string) error {
	r, err := ParseRate(raw)
	if err != nil {
		return err
	}
	*dst = r
	return nil
}

// ParseRate reads "20/s", "600/m", "3600/h" or a bare "20" (per second) and
// returns events per second; "0" means off.
func ParseRate(raw string) (float64, error) {
	bad := errors.New("must be a rate such as 20/s, 600/m or 0 (off)")
	num, unit, hasUnit := strings.Cut(strings.TrimSpace(raw), "/")
	per := 1.0
	if hasUnit {
		switch strings.TrimSpace(unit) {
		case "s":
		case "m":
			per = 60
		case "h":
			per = 3600
		default:
			return 0, bad
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || n < 0 || n != n || n > 1e9 {
		return 0, bad
	}
	return n / per, nil
}

// setLakeURL accepts the lake locations FinPipe can open: file://, and
// s3://, gs:// and azblob:// (the blob drivers linked in delta), each of
// which names its bucket or container as the URL's host.
func setLakeURL(s *Settings, raw string) error {
	v := strings.TrimSpace(raw)
	if v == "" {
		s.LakeURL = ""
		return nil
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return fmt.Errorf("not a URL: %v", err)
	case u.Scheme == "file" && u.Path != "" && u.Host == "":
	case (u.Scheme == "s3" || u.Scheme == "gs" || u.Scheme == "azblob") && u.Host != "":
	default:
		return errors.New("must be file:///absolute/path, s3://bucket/prefix, gs://bucket/prefix or azblob://container/prefix")
	}
	s.LakeURL = v
	return nil
}
