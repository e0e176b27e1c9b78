package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func caFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, []byte("-----BEGIN CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// onlyEnv leaves only env of FinPipe's variables set for the test.
func onlyEnv(t *testing.T, env map[string]string) {
	t.Helper()
	clearEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
}

func TestKafkaSecurityAccepted(t *testing.T) {
	ca := caFile(t)
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"default is plaintext", nil},
		{"TLS only, system CAs", map[string]string{"KAFKA_SECURITY_PROTOCOL": "SSL"}},
		{"SCRAM over TLS with a CA", map[string]string{"KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
			"KAFKA_SASL_MECHANISM": "scram-sha-512", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p", "KAFKA_SSL_CA_LOCATION": ca}},
		{"Confluent Cloud PLAIN", map[string]string{"KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
			"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": "APIKEY", "KAFKA_SASL_PASSWORD": "secret"}},
		{"OAUTHBEARER OIDC", map[string]string{"KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "KAFKA_SASL_MECHANISM": "OAUTHBEARER",
			"KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL": "https://idp.example/token",
			"KAFKA_SASL_OAUTHBEARER_CLIENT_ID":          "id", "KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET": "s"}},
		{"mutual TLS", map[string]string{"KAFKA_SECURITY_PROTOCOL": "ssl",
			"KAFKA_SSL_CERTIFICATE_LOCATION": ca, "KAFKA_SSL_KEY_LOCATION": ca}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			onlyEnv(t, tt.env)
			s, err := FromEnv()
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if tt.env == nil && s.KafkaSecurityProtocol != "plaintext" {
				t.Errorf("default protocol = %q", s.KafkaSecurityProtocol)
			}
			if m := tt.env["KAFKA_SASL_MECHANISM"]; m != "" && s.KafkaSASLMechanism != strings.ToUpper(m) {
				t.Errorf("mechanism = %q, want %q", s.KafkaSASLMechanism, strings.ToUpper(m))
			}
		})
	}
}

func TestKafkaSecurityInvalidNamesTheSetting(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"KAFKA_SECURITY_PROTOCOL": "tls"},
			`invalid KAFKA_SECURITY_PROTOCOL "tls": must be one of plaintext, ssl, sasl_plaintext, sasl_ssl`},
		{map[string]string{"KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "KAFKA_SASL_MECHANISM": "GSSAPI"},
			`invalid KAFKA_SASL_MECHANISM "GSSAPI": must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER`},
		{map[string]string{"KAFKA_SECURITY_PROTOCOL": "sasl_ssl"},
			`KAFKA_SASL_MECHANISM is required: KAFKA_SECURITY_PROTOCOL is sasl_ssl`},
		{map[string]string{"KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "KAFKA_SASL_USERNAME": "u"},
			`KAFKA_SASL_PASSWORD is required: KAFKA_SASL_MECHANISM is SCRAM-SHA-512`},
		{map[string]string{"KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p"},
			`KAFKA_SASL_USERNAME is set but KAFKA_SECURITY_PROTOCOL is plaintext`},
		{map[string]string{"KAFKA_SECURITY_PROTOCOL": "sasl_plaintext", "KAFKA_SASL_MECHANISM": "PLAIN",
			"KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p", "KAFKA_SSL_CA_LOCATION": "/etc/hostname"},
			`KAFKA_SSL_CA_LOCATION is set but KAFKA_SECURITY_PROTOCOL is sasl_plaintext (use ssl or sasl_ssl for TLS)`},
		{map[string]string{"KAFKA_SECURITY_PROTOCOL": "ssl", "KAFKA_SSL_CA_LOCATION": "/no/such/ca.pem"},
			`invalid KAFKA_SSL_CA_LOCATION "/no/such/ca.pem": must be a readable file: no such file or directory`},
		{map[string]string{"KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "KAFKA_SASL_MECHANISM": "OAUTHBEARER",
			"KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL": "idp.example/token"},
			`invalid KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL "idp.example/token": must be an https:// URL`},
		{map[string]string{"KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "KAFKA_SASL_MECHANISM": "OAUTHBEARER",
			"KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL": "https://idp.example/token", "KAFKA_SASL_OAUTHBEARER_CLIENT_ID": "id"},
			`KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET is required: KAFKA_SASL_MECHANISM is OAUTHBEARER`},
		{map[string]string{"KAFKA_SECURITY_PROTOCOL": "ssl", "KAFKA_SSL_CERTIFICATE_LOCATION": "/etc/hostname"},
			`KAFKA_SSL_CERTIFICATE_LOCATION and KAFKA_SSL_KEY_LOCATION go together`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			onlyEnv(t, tt.env)
			_, err := FromEnv()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestKafkaSecurityFlagsNamedAsGiven(t *testing.T) {
	clearEnv(t)
	_, err := parse(t, []string{"--kafka-security-protocol", "sasl_ssl"})
	if err == nil || !strings.Contains(err.Error(), "KAFKA_SASL_MECHANISM is required: --kafka-security-protocol is sasl_ssl") {
		t.Fatalf("Load error = %v", err)
	}
}

// TestKafkaSecretsNeverPrinted: passwords and client secrets are masked in
// `finpipe config`, %v, slog and error messages; the user name stays
// visible for debugging.
func TestKafkaSecretsNeverPrinted(t *testing.T) {
	clearEnv(t)
	t.Setenv("KAFKA_SECURITY_PROTOCOL", "sasl_ssl")
	t.Setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
	t.Setenv("KAFKA_SASL_USERNAME", "svc-finpipe")
	t.Setenv("KAFKA_SASL_PASSWORD", "pw-s3cret")
	t.Setenv("KAFKA_SSL_KEY_PASSWORD", "key-s3cret")
	t.Setenv("KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET", "oauth-s3cret")
	s, err := FromEnv()
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("want an error (key password without TLS files is fine, the OAuth secret is not) that hides secrets: %v", err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("start", "config", s)
	for name, out := range map[string]string{"Redacted": s.Redacted(), "%v": fmt.Sprintf("%v", s), "slog": logged.String()} {
		if strings.Contains(out, "s3cret") {
			t.Errorf("%s leaks a secret:\n%s", name, out)
		}
		if !strings.Contains(out, "svc-finpipe") {
			t.Errorf("%s hides the user name:\n%s", name, out)
		}
	}
}
