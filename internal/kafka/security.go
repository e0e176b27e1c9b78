package kafka

import (
	"fmt"
	"strings"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Security is how FinPipe authenticates to a managed cluster (MSK,
// Confluent Cloud): TLS and SASL as librdkafka names them. The zero value is
// PLAINTEXT, what the embedded broker and a local Kafka speak. The settings
// (internal/config, KAFKA_SECURITY_PROTOCOL and the rest) validate the
// combination; librdkafka checks the files when a client starts.
type Security struct {
	// Protocol is librdkafka's security.protocol: plaintext, ssl,
	// sasl_plaintext or sasl_ssl ("" = plaintext).
	Protocol string
	// Mechanism is sasl.mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or
	// OAUTHBEARER (librdkafka's built-in OIDC client-credentials flow).
	Mechanism string
	Username  string // sasl.username (PLAIN, SCRAM)
	Password  string // sasl.password (PLAIN, SCRAM); never printed
	// CALocation is ssl.ca.location: a PEM file of the CAs that signed the
	// brokers' certificates; "" uses the system's CAs, which is right for
	// MSK and Confluent Cloud.
	CALocation string
	// CertLocation and KeyLocation are ssl.certificate.location and
	// ssl.key.location, for mutual TLS (MSK's TLS client authentication).
	CertLocation, KeyLocation string
	KeyPassword               string // ssl.key.password; never printed
	// OAuth is the OIDC client of the OAUTHBEARER mechanism.
	OAuth OAuth
}

// OAuth holds sasl.oauthbearer.* for sasl.oauthbearer.method=oidc: librdkafka
// fetches and refreshes the token from the endpoint itself.
type OAuth struct {
	TokenEndpointURL string
	ClientID         string
	ClientSecret     string // never printed
	Scope            string // optional
}

// Conn is everything a client needs to reach a cluster: the bootstrap
// brokers and how to authenticate. It is the one value that FinPipe threads
// from its settings to every producer, reader and admin call.
type Conn struct {
	Brokers  string // comma-separated host:port
	Security Security
}

// Cluster is what the functions of this package accept as the cluster: a
// Conn, or a bare broker list, which means PLAINTEXT (the embedded broker,
// tests). Callers holding settings pass a Conn, so TLS and SASL reach every
// client.
type Cluster interface {
	~string | Conn
}

func connOf[C Cluster](c C) Conn {
	switch v := any(c).(type) {
	case Conn:
		return v
	default:
		return Conn{Brokers: fmt.Sprint(v)}
	}
}

// String describes the security without its secrets, so that %v and %+v
// of a Security (or of a struct holding one) never print a password.
func (s Security) String() string {
	out := s.protocol()
	if s.UsesSASL() {
		out += " " + s.Mechanism
		if s.Username != "" {
			out += " user " + s.Username
		}
	}
	return out
}

// GoString keeps %#v from printing the secrets too.
func (s Security) GoString() string { return "kafka.Security(" + s.String() + ")" }

// String is the broker list, which is what messages name; it never includes
// credentials.
func (c Conn) String() string { return c.Brokers }

// UsesSASL reports whether the protocol authenticates with SASL.
func (s Security) UsesSASL() bool { return strings.HasPrefix(s.Protocol, "sasl_") }

// UsesTLS reports whether connections are encrypted.
func (s Security) UsesTLS() bool { return s.Protocol == "ssl" || s.Protocol == "sasl_ssl" }

func (s Security) protocol() string {
	if s.Protocol == "" {
		return "plaintext"
	}
	return s.Protocol
}

// apply adds the security properties to a client configuration. Only what
// is set is added, so librdkafka's own defaults (system CAs, hostname
// verification) hold otherwise.
func (s Security) apply(cfg ck.ConfigMap) {
	cfg["security.protocol"] = s.protocol()
	set := func(k, v string) {
		if v != "" {
			cfg[k] = v
		}
	}
	if s.UsesSASL() {
		cfg["sasl.mechanism"] = s.Mechanism
		if s.Mechanism == "OAUTHBEARER" {
			cfg["sasl.oauthbearer.method"] = "oidc"
			set("sasl.oauthbearer.token.endpoint.url", s.OAuth.TokenEndpointURL)
			set("sasl.oauthbearer.client.id", s.OAuth.ClientID)
			set("sasl.oauthbearer.client.secret", s.OAuth.ClientSecret)
			set("sasl.oauthbearer.scope", s.OAuth.Scope)
		} else {
			set("sasl.username", s.Username)
			set("sasl.password", s.Password)
		}
	}
	if s.UsesTLS() {
		set("ssl.ca.location", s.CALocation)
		set("ssl.certificate.location", s.CertLocation)
		set("ssl.key.location", s.KeyLocation)
		set("ssl.key.password", s.KeyPassword)
	}
}
