package config

import (
	"net/netip"
	"path/filepath"
	"strings"
	"time"
)

// Settings is FinPipe's effective configuration. Fields are valid after Load
// (or FromEnv, or Default); each field documents its flag and variable.
type Settings struct {
	DataDir        string // --data-dir, FINPIPE_DATA_DIR
	Env            string // --env, ENV: "dev" or "prod"
	LakeURL        string // --lake-url, FINPIPE_LAKE_URL: file:///…, s3://…, gs://… or azblob://…; "" = <data dir>/<env>/lake
	HTTPAddr       string // --http, FINPIPE_HTTP_ADDR
	APIToken       string // --api-token, FINPIPE_API_TOKEN (secret)
	TrustedProxies string // --trusted-proxies, FINPIPE_TRUSTED_PROXIES: comma-separated CIDRs; "" = trust none
	DatabaseURL    string // --database-url, DATABASE_URL (password is secret); "" = embedded
	KafkaBrokers   string // --kafka-brokers, KAFKA_BROKERS, comma-separated; "" = embedded
	// Kafka TLS and SASL (kafka_security.go), named after librdkafka's
	// properties: --kafka-security-protocol, KAFKA_SECURITY_PROTOCOL, ...
	KafkaSecurityProtocol       string // plaintext, ssl, sasl_plaintext or sasl_ssl
	KafkaSASLMechanism          string // PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or ""
	KafkaSASLUsername           string
	KafkaSASLPassword           string // secret
	KafkaSSLCALocation          string
	KafkaSSLCertificateLocation string
	KafkaSSLKeyLocation         string
	KafkaSSLKeyPassword         string // secret
	KafkaOAuthTokenEndpointURL  string
	KafkaOAuthClientID          string
	KafkaOAuthClientSecret      string // secret
	KafkaOAuthScope             string
	Topic                       string        // --topic, FINPIPE_TOPIC
	Partitions                  int           // --partitions, FINPIPE_PARTITIONS
	Workers                     int           // --workers, FINPIPE_WORKERS
	MaxBatch                    int           // --max-batch, FINPIPE_MAX_BATCH
	IngestGroups                int           // --ingest-groups, FINPIPE_INGEST_GROUPS
	AllowedLateness             time.Duration // --allowed-lateness, FINPIPE_ALLOWED_LATENESS
	AggregateEvery              time.Duration // --aggregate-every, FINPIPE_AGGREGATE_EVERY; 0 = Gold after every run
	CompactMinFiles             int           // --compact-min-files, FINPIPE_COMPACT_MIN_FILES
	CompactMinMB                int           // --compact-min-mb, FINPIPE_COMPACT_MIN_MB
	RunRetention                time.Duration // --run-retention, FINPIPE_RUN_RETENTION; 0 = off
	AssetRunRetention           time.Duration // --asset-run-retention, FINPIPE_ASSET_RUN_RETENTION; 0 = RunRetention
	KeepRuns                    int           // --keep-runs, FINPIPE_KEEP_RUNS
	ProduceRate                 float64       // --produce-rate, FINPIPE_PRODUCE_RATE, records per second; 0 = off
	MetricsAddr                 string        // --metrics-addr, FINPIPE_METRICS_ADDR; "" = off
	LogFormat                   string        // --log-format, FINPIPE_LOG_FORMAT: auto, text or json
	LogLevel                    string        // --log-level, FINPIPE_LOG_LEVEL: debug, info, warn or error

	raw    [numKeys]string // value as given, for messages and printing
	source [numKeys]Source
	bound  [numKeys]bool // registered as a flag
}

// Source says where a setting's value came from.
type Source string

// The three places a value can come from, highest precedence first.
const (
	SourceFlag    Source = "flag"
	SourceEnv     Source = "env"
	SourceDefault Source = "default"
)

// LakeDir is where the Delta tables live: LakeURL when set (a URL that
// delta.Open takes, joined with delta.JoinLocation), else the directory
// <data dir>/<env>/lake.
func (s *Settings) LakeDir() string {
	if s.LakeURL != "" {
		return s.LakeURL
	}
	return filepath.Join(s.DataDir, s.Env, "lake")
}

// Brokers splits KafkaBrokers into host:port entries; nil when FinPipe should
// start its embedded broker.
func (s *Settings) Brokers() []string {
	if s.KafkaBrokers == "" {
		return nil
	}
	return strings.Split(s.KafkaBrokers, ",")
}

// Proxies parses TrustedProxies (validated by Load) into prefixes.
func (s *Settings) Proxies() []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.Split(s.TrustedProxies, ",") {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// EmbeddedPostgres reports whether no DATABASE_URL was given, so the process
// must start its own PostgreSQL under the data dir.
func (s *Settings) EmbeddedPostgres() bool { return s.DatabaseURL == "" }

// EmbeddedKafka reports whether no KAFKA_BROKERS were given, so the process
// must start its in-process broker under the data dir.
func (s *Settings) EmbeddedKafka() bool { return s.KafkaBrokers == "" }

// Source reports where k's value came from.
func (s *Settings) Source(k Key) Source {
	if k < 0 || k >= numKeys || s.source[k] == "" {
		return SourceDefault
	}
	return s.source[k]
}
