package kafka_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/kafka"
)

// The SASL_SSL cluster of these tests is the real Apache Kafka that
// ci/kafka/test.sh starts (its SASL_SSL listener, throwaway CA and users are
// passed in FINPIPE_TEST_KAFKA_SASL_*), else an embedded kfake broker with
// TLS and SASL users made here.
const (
	envSASLBrokers = "FINPIPE_TEST_KAFKA_SASL_BROKERS" // host:port of a SASL_SSL listener
	envSASLCA      = "FINPIPE_TEST_KAFKA_SASL_CA"      // PEM file of its CA
	// envSASLUsers is "MECHANISM=user:password,..." for that cluster.
	envSASLUsers = "FINPIPE_TEST_KAFKA_SASL_USERS"
)

var testMechanisms = []string{"PLAIN", "SCRAM-SHA-512"}

type saslUser struct{ name, password string }

// saslCluster returns a SASL_SSL cluster and a valid user per mechanism.
func saslCluster(t *testing.T) (brokers, ca string, users map[string]saslUser) {
	t.Helper()
	users = map[string]saslUser{}
	if b := os.Getenv(envSASLBrokers); b != "" {
		for _, entry := range strings.Split(os.Getenv(envSASLUsers), ",") {
			mech, cred, _ := strings.Cut(entry, "=")
			name, pw, _ := strings.Cut(cred, ":")
			users[mech] = saslUser{name, pw}
		}
		for _, m := range testMechanisms {
			if users[m].name == "" {
				t.Fatalf("%s has no %s user (%s=%q)", envSASLBrokers, m, envSASLUsers, os.Getenv(envSASLUsers))
			}
		}
		return b, os.Getenv(envSASLCA), users
	}
	dir := t.TempDir()
	serverTLS, ca := throwawayCA(t, dir, "ca.pem")
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.EnableSASL(), kfake.TLS(serverTLS)}
	for _, m := range testMechanisms {
		u := saslUser{"finpipe-" + strings.ToLower(m), "right-" + m}
		users[m] = u
		opts = append(opts, kfake.Superuser(m, u.name, u.password))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0], ca, users
}

// throwawayCA makes a CA and a broker certificate for 127.0.0.1 signed by
// it, and writes the CA to dir/name for ssl.ca.location.
func throwawayCA(t *testing.T, dir, name string) (*tls.Config, string) {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey, leafKey := key(), key()
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "finpipe test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}}}, path
}

func saslConn(brokers, ca, mech string, u saslUser) kafka.Conn {
	return kafka.Conn{Brokers: brokers, Security: kafka.Security{Protocol: "sasl_ssl", Mechanism: mech,
		Username: u.name, Password: u.password, CALocation: ca}}
}

func TestSASLSSLProduceAndConsume(t *testing.T) {
	brokers, ca, users := saslCluster(t)
	for _, mech := range testMechanisms {
		t.Run(mech, func(t *testing.T) {
			conn := saslConn(brokers, ca, mech, users[mech])
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			topic := "test.sasl." + strings.ToLower(mech) + "." + time.Now().Format("150405.000000")
			if err := kafka.EnsureTopic(ctx, conn, topic, 2); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = kafka.DeleteTopic(context.Background(), conn, topic) }()
			produceN(t, conn, topic, 1, 20)
			recs, high, err := kafka.ReadRange(ctx, conn, topic, 1, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 20 || high != 20 || string(recs[19].Value) != "v19" {
				t.Fatalf("read %d records to %d, want 20 ending in v19", len(recs), high)
			}
			hw, err := kafka.HighWatermarks(ctx, conn, topic)
			if err != nil || hw[1] != 20 {
				t.Fatalf("HighWatermarks = %v, %v", hw, err)
			}
			if err := kafka.CommitGroupOffsets(ctx, conn, "finpipe-sasl-test", topic, map[int32]int64{1: 20}); err != nil {
				t.Fatal(err)
			}
			if got, err := kafka.GroupOffsets(ctx, conn, "finpipe-sasl-test", topic); err != nil || got[1] != 20 {
				t.Fatalf("GroupOffsets = %v, %v", got, err)
			}
		})
	}
}

// TestSASLWrongPasswordFailsFast: every kind of client ends with an error
// that wraps ErrAuthentication and names the user and the settings to
// check. librdkafka alone retries a refused login until the call's budget
// ends, and then says only that the cluster did not answer.
func TestSASLWrongPasswordFailsFast(t *testing.T) {
	brokers, ca, users := saslCluster(t)
	for _, mech := range testMechanisms {
		t.Run(mech, func(t *testing.T) {
			u := users[mech]
			wrong := saslConn(brokers, ca, mech, saslUser{u.name, u.password + "-wrong"})
			calls := map[string]func(context.Context) error{
				"Partitions": func(ctx context.Context) error {
					_, err := kafka.Partitions(ctx, wrong, "transactions")
					return err
				},
				"EnsureTopic": func(ctx context.Context) error { return kafka.EnsureTopic(ctx, wrong, "transactions", 1) },
				"LowWatermarks": func(ctx context.Context) error {
					_, err := kafka.LowWatermarks(ctx, wrong, "transactions")
					return err
				},
				"CommitGroupOffsets": func(ctx context.Context) error {
					return kafka.CommitGroupOffsets(ctx, wrong, "g", "transactions", map[int32]int64{0: 1})
				},
				"ReadRanges": func(ctx context.Context) error {
					_, err := kafka.ReadRanges(ctx, wrong, "transactions", map[int32]int64{0: 0}, 1)
					return err
				},
				"NewProducer": func(context.Context) error {
					p, err := kafka.NewProducer(wrong)
					if err == nil {
						p.Close()
					}
					return err
				},
			}
			for name, call := range calls {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				start := time.Now()
				err := call(ctx)
				cancel()
				t.Logf("%s: after %v: %v", name, time.Since(start).Round(time.Millisecond), err)
				if !errors.Is(err, kafka.ErrAuthentication) {
					t.Errorf("%s with a wrong password: %v, want an error wrapping ErrAuthentication", name, err)
					continue
				}
				for _, want := range []string{u.name, "KAFKA_SASL_PASSWORD", brokers} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("%s: error %q does not name %q", name, err, want)
					}
				}
				if strings.Contains(err.Error(), u.password) {
					t.Errorf("%s: error %q shows the password", name, err)
				}
			}
		})
	}
}

// TestTLSUntrustedCAFailsFast: a client that does not trust the brokers'
// certificate says so instead of timing out.
func TestTLSUntrustedCAFailsFast(t *testing.T) {
	brokers, _, users := saslCluster(t)
	_, otherCA := throwawayCA(t, t.TempDir(), "other-ca.pem")
	conn := saslConn(brokers, otherCA, "PLAIN", users["PLAIN"])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := kafka.Partitions(ctx, conn, "transactions")
	if !errors.Is(err, kafka.ErrAuthentication) || !strings.Contains(err.Error(), "KAFKA_SSL_CA_LOCATION") {
		t.Fatalf("Partitions with an untrusted CA: %v, want a TLS failure naming KAFKA_SSL_CA_LOCATION", err)
	}
	t.Logf("error: %v", err)
}

// TestConnFromSettings: the TLS and SASL settings reach the Conn of the
// configured cluster, and never the embedded broker's, which speaks
// PLAINTEXT.
func TestConnFromSettings(t *testing.T) {
	for _, kv := range [][2]string{{"KAFKA_BROKERS", "kafka.example:9096"}, {"KAFKA_SECURITY_PROTOCOL", "sasl_ssl"},
		{"KAFKA_SASL_MECHANISM", "scram-sha-512"}, {"KAFKA_SASL_USERNAME", "svc"}, {"KAFKA_SASL_PASSWORD", "pw"}} {
		t.Setenv(kv[0], kv[1])
	}
	s, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	got := kafka.ConnFrom(s, s.KafkaBrokers)
	want := kafka.Conn{Brokers: "kafka.example:9096", Security: kafka.Security{Protocol: "sasl_ssl",
		Mechanism: "SCRAM-SHA-512", Username: "svc", Password: "pw"}}
	if got != want {
		t.Errorf("ConnFrom = %+v, want %+v", got, want)
	}
	if got := kafka.ConnFrom(s, "127.0.0.1:40000"); got != (kafka.Conn{Brokers: "127.0.0.1:40000"}) {
		t.Errorf("ConnFrom for the embedded broker = %+v, want PLAINTEXT", got)
	}
	secured := kafka.ConnFrom(s, s.KafkaBrokers)
	out := fmt.Sprintf("%v %+v %#v %v %+v %#v", secured, secured, secured, secured.Security, secured.Security, secured.Security)
	if strings.Contains(out, "pw") || !strings.Contains(out, "sasl_ssl SCRAM-SHA-512 user svc") {
		t.Errorf("a Conn prints its password: %s", out)
	}
}
