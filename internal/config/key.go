package config

import "strings"

// Key names one setting. Subcommands pass keys to Register to choose which
// settings they expose as flags.
type Key int

// The settings, in the order `finpipe config` prints them.
const (
	DataDir Key = iota
	Env
	LakeURL
	HTTPAddr
	APIToken
	TrustedProxies
	DatabaseURL
	KafkaBrokers
	KafkaSecurityProtocol
	KafkaSASLMechanism
	KafkaSASLUsername
	KafkaSASLPassword
	KafkaSSLCALocation
	KafkaSSLCertificateLocation
	KafkaSSLKeyLocation
	KafkaSSLKeyPassword
	KafkaOAuthTokenEndpointURL
	KafkaOAuthClientID
	KafkaOAuthClientSecret
	KafkaOAuthScope
	Topic
	Partitions
	Workers
	MaxBatch
	IngestGroups
	AllowedLateness
	AggregateEvery
	CompactMinFiles
	CompactMinMB
	RunRetention
	AssetRunRetention
	KeepRuns
	ProduceRate
	MetricsAddr
	LogFormat
	LogLevel
	numKeys
)

// definition is everything about a setting except its value: the one table
// that flags, environment, defaults, validation and printing all read.
type definition struct {
	flag   string // without dashes
	env    string
	def    string // default, in the same syntax a user would type
	usage  string // flag help; a `word` in backquotes names the value
	secret bool
	// set parses raw into s. Its error completes the sentence
	// `invalid NAME "raw": ...`, so it says what a valid value looks like.
	set func(s *Settings, raw string) error
}

var definitions = [numKeys]definition{
	DataDir: {flag: "data-dir", env: "FINPIPE_DATA_DIR", def: "./data",
		usage: "`directory` for the lake, embedded PostgreSQL and embedded Kafka",
		set:   func(s *Settings, raw string) error { return setNonEmpty(&s.DataDir, raw) }},
	Env: {flag: "env", env: "ENV", def: "dev",
		usage: "environment `name` (dev or prod); the lake lives in <data dir>/<env>/lake",
		set:   func(s *Settings, raw string) error { return setOneOf(&s.Env, raw, "dev", "prod") }},
	LakeURL: {flag: "lake-url", env: "FINPIPE_LAKE_URL",
		usage: "lake `location`: file:///path; s3://bucket/prefix (endpoint, region and credentials from the AWS variables and files; ?endpoint=URL&use_path_style=true for S3-compatible stores); " +
			"gs://bucket/prefix (Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud's login or the metadata server; STORAGE_EMULATOR_HOST=host:port for an emulator); " +
			"azblob://container/prefix (AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY, or AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_SAS_TOKEN, or the default Azure identity; ?localemu=true&domain=host:port&protocol=http for Azurite); " +
			"an object store also takes ?request_timeout=30s (per request, default 2m); empty is <data dir>/<env>/lake",
		set: setLakeURL},
	HTTPAddr: {flag: "http", env: "FINPIPE_HTTP_ADDR", def: "127.0.0.1:8080",
		usage: "`address` the web UI and REST API listen on",
		set:   func(s *Settings, raw string) error { return setHostPort(&s.HTTPAddr, raw, false) }},
	APIToken: {flag: "api-token", env: "FINPIPE_API_TOKEN", secret: true,
		usage: "bearer `token` for the REST API and UI login (prefer the environment variable: flags show in ps)",
		set:   setAPIToken},
	TrustedProxies: {flag: "trusted-proxies", env: "FINPIPE_TRUSTED_PROXIES",
		usage: "comma-separated `addresses` (IPs or CIDRs) of TLS-terminating reverse proxies whose X-Forwarded-Proto and X-Forwarded-For the web server believes: cookies get the Secure flag, and failed logins are counted per forwarded client; empty trusts no proxy",
		set:   setTrustedProxies},
	DatabaseURL: {flag: "database-url", env: "DATABASE_URL",
		usage: "PostgreSQL connection `URL`; empty starts an embedded PostgreSQL under the data dir",
		set:   setDatabaseURL, secret: true},
	KafkaBrokers: {flag: "kafka-brokers", env: "KAFKA_BROKERS",
		usage: "comma-separated Kafka `host:port` list; empty starts an embedded broker under the data dir",
		set:   setBrokers},
	KafkaSecurityProtocol: {flag: "kafka-security-protocol", env: "KAFKA_SECURITY_PROTOCOL", def: "plaintext",
		usage: "Kafka security.protocol: plaintext, ssl, sasl_plaintext or `protocol` sasl_ssl (MSK, Confluent Cloud)",
		set: func(s *Settings, raw string) error {
			return setOneOf(&s.KafkaSecurityProtocol, raw, "plaintext", "ssl", "sasl_plaintext", "sasl_ssl")
		}},
	KafkaSASLMechanism: {flag: "kafka-sasl-mechanism", env: "KAFKA_SASL_MECHANISM",
		usage: "Kafka sasl.mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER (`mechanism`)",
		set:   setSASLMechanism},
	KafkaSASLUsername: {flag: "kafka-sasl-username", env: "KAFKA_SASL_USERNAME",
		usage: "Kafka sasl.username (`name`; Confluent Cloud: the API key)",
		set:   func(s *Settings, raw string) error { s.KafkaSASLUsername = strings.TrimSpace(raw); return nil }},
	KafkaSASLPassword: {flag: "kafka-sasl-password", env: "KAFKA_SASL_PASSWORD", secret: true,
		usage: "Kafka sasl.password (`secret`; prefer the environment variable: flags show in ps)",
		set:   func(s *Settings, raw string) error { s.KafkaSASLPassword = raw; return nil }},
	KafkaSSLCALocation: {flag: "kafka-ssl-ca-location", env: "KAFKA_SSL_CA_LOCATION",
		usage: "Kafka ssl.ca.location: PEM `file` of the CAs that signed the brokers' certificates; empty uses the system's",
		set:   func(s *Settings, raw string) error { return setReadableFile(&s.KafkaSSLCALocation, raw) }},
	KafkaSSLCertificateLocation: {flag: "kafka-ssl-certificate-location", env: "KAFKA_SSL_CERTIFICATE_LOCATION",
		usage: "Kafka ssl.certificate.location: PEM `file` of the client certificate, for mutual TLS",
		set:   func(s *Settings, raw string) error { return setReadableFile(&s.KafkaSSLCertificateLocation, raw) }},
	KafkaSSLKeyLocation: {flag: "kafka-ssl-key-location", env: "KAFKA_SSL_KEY_LOCATION",
		usage: "Kafka ssl.key.location: PEM `file` of the client key, for mutual TLS",
		set:   func(s *Settings, raw string) error { return setReadableFile(&s.KafkaSSLKeyLocation, raw) }},
	KafkaSSLKeyPassword: {flag: "kafka-ssl-key-password", env: "KAFKA_SSL_KEY_PASSWORD", secret: true,
		usage: "Kafka ssl.key.password of an encrypted client key (`secret`)",
		set:   func(s *Settings, raw string) error { s.KafkaSSLKeyPassword = raw; return nil }},
	KafkaOAuthTokenEndpointURL: {flag: "kafka-sasl-oauthbearer-token-endpoint-url", env: "KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL",
		usage: "OAUTHBEARER: the OIDC token endpoint `URL` librdkafka gets tokens from (client credentials)",
		set:   setTokenEndpoint},
	KafkaOAuthClientID: {flag: "kafka-sasl-oauthbearer-client-id", env: "KAFKA_SASL_OAUTHBEARER_CLIENT_ID",
		usage: "OAUTHBEARER: the OIDC client `id`",
		set:   func(s *Settings, raw string) error { s.KafkaOAuthClientID = strings.TrimSpace(raw); return nil }},
	KafkaOAuthClientSecret: {flag: "kafka-sasl-oauthbearer-client-secret", env: "KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET", secret: true,
		usage: "OAUTHBEARER: the OIDC client `secret`",
		set:   func(s *Settings, raw string) error { s.KafkaOAuthClientSecret = raw; return nil }},
	KafkaOAuthScope: {flag: "kafka-sasl-oauthbearer-scope", env: "KAFKA_SASL_OAUTHBEARER_SCOPE",
		usage: "OAUTHBEARER: the `scope` to request; empty requests none",
		set:   func(s *Settings, raw string) error { s.KafkaOAuthScope = strings.TrimSpace(raw); return nil }},
	Topic: {flag: "topic", env: "FINPIPE_TOPIC", def: "transactions",
		usage: "Kafka `topic` the pipeline reads transactions from",
		set:   setTopic},
	Partitions: {flag: "partitions", env: "FINPIPE_PARTITIONS", def: "3",
		usage: "`number` of partitions when FinPipe creates the topic",
		set:   func(s *Settings, raw string) error { return setPositiveInt(&s.Partitions, raw) }},
	Workers: {flag: "workers", env: "FINPIPE_WORKERS", def: "4",
		usage: "`number` of task instances a worker process runs at once",
		set:   func(s *Settings, raw string) error { return setPositiveInt(&s.Workers, raw) }},
	MaxBatch: {flag: "max-batch", env: "FINPIPE_MAX_BATCH", def: "200000",
		usage: "most `records` one micro-batch reads from Kafka",
		set:   func(s *Settings, raw string) error { return setPositiveInt(&s.MaxBatch, raw) }},
	IngestGroups: {flag: "ingest-groups", env: "FINPIPE_INGEST_GROUPS", def: "1",
		usage: "`number` of ingest tasks per medallion run, each reading its share of the topic's partitions, so that several workers ingest in parallel",
		set:   func(s *Settings, raw string) error { return setPositiveInt(&s.IngestGroups, raw) }},
	AllowedLateness: {flag: "allowed-lateness", env: "FINPIPE_ALLOWED_LATENESS", def: "48h",
		usage: "how far behind the newest event_time a record may be before it is rejected as late_event (`duration` such as 48h or 2d)",
		set:   func(s *Settings, raw string) error { return setDuration(&s.AllowedLateness, raw) }},
	AggregateEvery: {flag: "aggregate-every", env: "FINPIPE_AGGREGATE_EVERY", def: "10s",
		usage: "while Kafka holds a backlog (on some partition, at least half of what one run reads of it beyond Bronze), the medallion DAG refreshes Gold at most this often (`duration`), and always once caught up; a stream that keeps up refreshes it every run; 0 refreshes it after every run",
		set:   func(s *Settings, raw string) error { return setDuration(&s.AggregateEvery, raw) }},
	CompactMinFiles: {flag: "compact-min-files", env: "FINPIPE_COMPACT_MIN_FILES", def: "32",
		usage: "lake_compaction compacts a partition once it has this many small `files` (below Delta's 128 MB target)",
		set:   func(s *Settings, raw string) error { return setPositiveInt(&s.CompactMinFiles, raw) }},
	CompactMinMB: {flag: "compact-min-mb", env: "FINPIPE_COMPACT_MIN_MB", def: "64",
		usage: "lake_compaction also compacts a partition whose small files hold this many `MiB`",
		set:   func(s *Settings, raw string) error { return setPositiveInt(&s.CompactMinMB, raw) }},
	RunRetention: {flag: "run-retention", env: "FINPIPE_RUN_RETENTION", def: "7d",
		usage: "the scheduler deletes finished runs, with their task instances, attempts and logs, older than this `duration` (every 10 minutes); 0 turns it off",
		set:   func(s *Settings, raw string) error { return setDuration(&s.RunRetention, raw) }},
	AssetRunRetention: {flag: "asset-run-retention", env: "FINPIPE_ASSET_RUN_RETENTION", def: "1d",
		usage: "successful asset-triggered runs (one per batch of new data: up to 432,000 a day) are deleted sooner, once older than this `duration`; failed ones and scheduled, manual and backfill runs keep FINPIPE_RUN_RETENTION; 0 gives them FINPIPE_RUN_RETENTION too",
		set:   func(s *Settings, raw string) error { return setDuration(&s.AssetRunRetention, raw) }},
	KeepRuns: {flag: "keep-runs", env: "FINPIPE_KEEP_RUNS", def: "100",
		usage: "`number` of each DAG's newest runs that retention always keeps, however old",
		set:   func(s *Settings, raw string) error { return setPositiveInt(&s.KeepRuns, raw) }},
	ProduceRate: {flag: "produce-rate", env: "FINPIPE_PRODUCE_RATE", def: "0",
		usage: "`rate` of standalone's built-in producer, such as 20/s or 600/m; 0 turns it off",
		set:   func(s *Settings, raw string) error { return setRate(&s.ProduceRate, raw) }},
	MetricsAddr: {flag: "metrics-addr", env: "FINPIPE_METRICS_ADDR",
		usage: "`address` serving /metrics and /healthz for processes without the web server (scheduler, worker); empty turns it off",
		set:   func(s *Settings, raw string) error { return setHostPort(&s.MetricsAddr, raw, true) }},
	LogFormat: {flag: "log-format", env: "FINPIPE_LOG_FORMAT", def: "auto",
		usage: "log `format`: text, json, or auto (text on a terminal, JSON otherwise)",
		set:   func(s *Settings, raw string) error { return setOneOf(&s.LogFormat, raw, "auto", "text", "json") }},
	LogLevel: {flag: "log-level", env: "FINPIPE_LOG_LEVEL", def: "info",
		usage: "least severe log `level` shown: debug, info, warn or error",
		set:   setLogLevel},
}

// Keys lists every setting in printing order.
func Keys() []Key {
	keys := make([]Key, numKeys)
	for i := range keys {
		keys[i] = Key(i)
	}
	return keys
}

// Flag is the setting's flag with two dashes, e.g. "--data-dir".
func (k Key) Flag() string { return "--" + k.def().flag }

// Env is the setting's environment variable, e.g. "FINPIPE_DATA_DIR".
func (k Key) Env() string { return k.def().env }

// Default is the value used when neither flag nor environment sets one.
func (k Key) Default() string { return k.def().def }

// Secret reports whether the value must never be printed or logged.
func (k Key) Secret() bool { return k.def().secret }

// String names the key by its environment variable, the name operators see
// most (compose files, .env).
func (k Key) String() string { return k.Env() }

func (k Key) def() definition {
	if k < 0 || k >= numKeys {
		return definition{env: "UNKNOWN_SETTING", flag: "unknown-setting"}
	}
	return definitions[k]
}

// EnvNames lists every environment variable FinPipe reads, so that tools (the
// compose file check) can verify a name before an operator relies on it.
func EnvNames() []string {
	names := make([]string, 0, numKeys)
	for _, k := range Keys() {
		names = append(names, k.Env())
	}
	return names
}
