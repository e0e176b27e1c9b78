package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

// Register adds a flag to fs for each key (every setting when no key is
// given) and returns the Settings to Load after fs.Parse. Flags show their
// environment variable and default in -help.
func Register(fs *flag.FlagSet, keys ...Key) *Settings {
	s := &Settings{}
	if len(keys) == 0 {
		keys = Keys()
	}
	for _, k := range keys {
		if k < 0 || k >= numKeys || s.bound[k] {
			continue
		}
		s.bound[k] = true
		s.raw[k] = k.Default()
		d := k.def()
		fs.Var(&flagValue{s: s, k: k}, d.flag, d.usage+" (env "+d.env+")")
	}
	return s
}

// Load fills every setting not given as a flag from its environment variable
// (an empty variable counts as unset) or its default, then validates all of
// them. The error names each invalid setting, e.g.
// `invalid FINPIPE_WORKERS "abc": must be a positive integer`.
func (s *Settings) Load() error {
	var errs []error
	for _, k := range Keys() {
		if s.source[k] != SourceFlag {
			if v, ok := os.LookupEnv(k.Env()); ok && v != "" {
				s.raw[k], s.source[k] = v, SourceEnv
			} else {
				s.raw[k], s.source[k] = k.Default(), SourceDefault
			}
		}
		if err := k.def().set(s, s.raw[k]); err != nil {
			errs = append(errs, s.invalid(k, err))
		}
	}
	if len(errs) == 0 {
		errs = append(errs, s.checkKafkaSecurity()...)
	}
	return errors.Join(errs...)
}

// invalid names the setting the way the user gave it, and never echoes a
// secret.
func (s *Settings) invalid(k Key, err error) error {
	return fmt.Errorf("invalid %s %q: %w", s.name(k), redact(k, s.raw[k]), err)
}

// FromEnv is Load for code without flags: environment, then defaults.
func FromEnv() (*Settings, error) {
	s := &Settings{}
	return s, s.Load()
}

// Default returns the built-in defaults, ignoring the environment; for tests
// and examples that must not depend on the caller's shell.
func Default() *Settings {
	s := &Settings{}
	for _, k := range Keys() {
		s.raw[k], s.source[k] = k.Default(), SourceDefault
		// Defaults are valid by construction; TestDefaultsAreValid checks it.
		_ = k.def().set(s, s.raw[k])
	}
	return s
}

// flagValue stores the raw flag text; parsing waits for Load so flag and
// environment errors read the same.
type flagValue struct {
	s *Settings
	k Key
}

func (f *flagValue) String() string {
	if f == nil || f.s == nil {
		return "" // the flag package probes a zero value for -help
	}
	return redact(f.k, f.s.raw[f.k])
}

func (f *flagValue) Set(v string) error {
	f.s.raw[f.k], f.s.source[f.k] = v, SourceFlag
	return nil
}
