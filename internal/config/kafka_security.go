package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// The Kafka TLS and SASL settings carry librdkafka's property names
// (KAFKA_SASL_MECHANISM is sasl.mechanism), which is what MSK's and
// Confluent Cloud's connection instructions give.

var saslMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"}

func setSASLMechanism(s *Settings, raw string) error {
	v := strings.ToUpper(strings.TrimSpace(raw))
	for _, m := range append([]string{""}, saslMechanisms...) {
		if v == m {
			s.KafkaSASLMechanism = v
			return nil
		}
	}
	return fmt.Errorf("must be one of %s", strings.Join(saslMechanisms, ", "))
}

// setReadableFile accepts "" (unset) or a file this process can read now: a
// typo in a certificate path is an error at start-up, not a TLS failure on
// the first call.
func setReadableFile(dst *string, raw string) error {
	v := strings.TrimSpace(raw)
	if v != "" {
		f, err := os.Open(v)
		if err != nil {
			return fmt.Errorf("must be a readable file: %w", errors.Unwrap(err))
		}
		st, err := f.Stat()
		f.Close()
		if err != nil || st.IsDir() {
			return errors.New("must be a readable file, not a directory")
		}
	}
	*dst = v
	return nil
}

func setTokenEndpoint(s *Settings, raw string) error {
	v := strings.TrimSpace(raw)
	if v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errors.New("must be an https:// URL")
		}
	}
	s.KafkaOAuthTokenEndpointURL = v
	return nil
}

// checkKafkaSecurity checks that the Kafka settings fit together, naming
// the settings to add or remove. It runs once each value is valid alone.
func (s *Settings) checkKafkaSecurity() []error {
	proto := s.KafkaSecurityProtocol
	sasl := strings.HasPrefix(proto, "sasl_")
	tls := proto == "ssl" || proto == "sasl_ssl"
	var errs []error
	need := func(k Key, why string) {
		if s.raw[k] == "" || strings.TrimSpace(s.raw[k]) == "" {
			errs = append(errs, fmt.Errorf("%s is required: %s", s.name(k), why))
		}
	}
	unwanted := func(why string, keys ...Key) {
		for _, k := range keys {
			if strings.TrimSpace(s.raw[k]) != "" {
				errs = append(errs, fmt.Errorf("%s is set but %s", s.name(k), why))
			}
		}
	}
	protoIs := fmt.Sprintf("%s is %s", s.name(KafkaSecurityProtocol), proto)
	if !sasl {
		unwanted(protoIs+" (use sasl_ssl to authenticate with SASL)", KafkaSASLMechanism, KafkaSASLUsername,
			KafkaSASLPassword, KafkaOAuthTokenEndpointURL, KafkaOAuthClientID, KafkaOAuthClientSecret, KafkaOAuthScope)
	}
	if !tls {
		unwanted(protoIs+" (use ssl or sasl_ssl for TLS)", KafkaSSLCALocation, KafkaSSLCertificateLocation,
			KafkaSSLKeyLocation, KafkaSSLKeyPassword)
	}
	switch mech := s.KafkaSASLMechanism; {
	case !sasl:
	case mech == "":
		need(KafkaSASLMechanism, protoIs)
	case mech == "OAUTHBEARER":
		why := s.name(KafkaSASLMechanism) + " is OAUTHBEARER"
		need(KafkaOAuthTokenEndpointURL, why)
		need(KafkaOAuthClientID, why)
		need(KafkaOAuthClientSecret, why)
		unwanted(why+" (the OIDC client replaces them)", KafkaSASLUsername, KafkaSASLPassword)
	default:
		why := s.name(KafkaSASLMechanism) + " is " + mech
		need(KafkaSASLUsername, why)
		need(KafkaSASLPassword, why)
		unwanted(why+" (those are for OAUTHBEARER)", KafkaOAuthTokenEndpointURL, KafkaOAuthClientID, KafkaOAuthClientSecret, KafkaOAuthScope)
	}
	if tls && (s.KafkaSSLCertificateLocation == "") != (s.KafkaSSLKeyLocation == "") {
		errs = append(errs, fmt.Errorf("%s and %s go together (mutual TLS)", s.name(KafkaSSLCertificateLocation), s.name(KafkaSSLKeyLocation)))
	}
	return errs
}

// name is the setting as the user gave it: its flag when set by flag, else
// its environment variable.
func (s *Settings) name(k Key) string {
	if s.source[k] == SourceFlag {
		return k.Flag()
	}
	return k.Env()
}
