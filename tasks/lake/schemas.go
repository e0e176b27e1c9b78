package lake

import "github.com/finpipe/finpipe/delta"

// The table names, relative to the lake directory. They double as the
// tables' folder paths, as in DESIGN.md "The lake".
const (
	BronzeTransactions       = "bronze/transactions"
	SilverTransactions       = "silver/transactions"
	SilverRejected           = "silver/rejected"
	GoldDailyUserMetrics     = "gold/daily_user_metrics"
	GoldDailyUserRanking     = "gold/daily_user_ranking"
	GoldDailyCurrencySummary = "gold/daily_currency_summary"
)

// Spec is what it takes to create one table: its name, columns and
// partitioning.
type Spec struct {
	Name             string
	Schema           delta.Schema
	PartitionColumns []string
}

// Column positions of each table's rows (delta.Row is in schema order). The
// partition column comes last, as Spark's partitionBy lays out a DataFrame.
const (
	BronzeTopic = iota
	BronzeKafkaPartition
	BronzeKafkaOffset
	BronzeKafkaTimestamp
	BronzeKey
	BronzeValue
	BronzeIngestedAt
	BronzeIngestDate
	bronzeColumns
)

const (
	SilverTransactionID = iota
	SilverUserID
	SilverAmount
	SilverCurrency
	SilverMerchant
	SilverCategory
	SilverCountry
	SilverPaymentMethod
	SilverStatus
	SilverEventTime
	SilverKafkaPartition
	SilverKafkaOffset
	SilverIngestedAt
	SilverEventDate
	silverColumns
)

const (
	RejectedReason = iota
	RejectedDetail
	RejectedValue
	RejectedTopic
	RejectedKafkaPartition
	RejectedKafkaOffset
	RejectedKafkaTimestamp
	RejectedAt
	RejectedIngestDate
	rejectedColumns
)

const (
	MetricsUserID = iota
	MetricsCurrency
	MetricsTxCount
	MetricsTotalAmount
	MetricsAvgAmount
	MetricsMinAmount
	MetricsMaxAmount
	MetricsEventDate
	metricsColumns
)

const (
	RankingCurrency = iota
	RankingRank
	RankingUserID
	RankingTotalAmount
	RankingTxCount
	RankingEventDate
	rankingColumns
)

const (
	SummaryCurrency = iota
	SummaryTxCount
	SummaryTotalAmount
	SummaryUniqueUsers
	SummaryEventDate
	summaryColumns
)

// Delta type names used below.
const (
	tString    = "string"
	tInt       = "integer"
	tLong      = "long"
	tDate      = "date"
	tTimestamp = "timestamp"
	tBinary    = "binary"
	tAmount    = "decimal(18,2)" // one transaction's amount
	tTotal     = "decimal(38,2)" // sums: room for any number of transactions
)

// required and nullable build fields; only optional transaction attributes,
// the Kafka key and producer-supplied text are nullable.
func required(name, typ string) delta.Field { return delta.Field{Name: name, Type: typ} }
func nullable(name, typ string) delta.Field {
	return delta.Field{Name: name, Type: typ, Nullable: true}
}

func spec(name, partition string, fields ...delta.Field) Spec {
	return Spec{Name: name, Schema: delta.Schema{Fields: fields}, PartitionColumns: []string{partition}}
}

// Specs returns every table of the lake, upstream first.
func Specs() []Spec {
	return []Spec{
		spec(BronzeTransactions, "ingest_date",
			required("topic", tString), required("kafka_partition", tInt), required("kafka_offset", tLong),
			required("kafka_timestamp", tTimestamp), nullable("key", tString), nullable("value", tBinary),
			required("ingested_at", tTimestamp), required("ingest_date", tDate)),
		spec(SilverTransactions, "event_date",
			required("transaction_id", tString), required("user_id", tString), required("amount", tAmount),
			required("currency", tString), nullable("merchant", tString), nullable("category", tString),
			nullable("country", tString), nullable("payment_method", tString), required("status", tString),
			required("event_time", tTimestamp), required("kafka_partition", tInt), required("kafka_offset", tLong),
			required("ingested_at", tTimestamp), required("event_date", tDate)),
		spec(SilverRejected, "ingest_date",
			required("reason", tString), nullable("detail", tString), nullable("value", tBinary),
			required("topic", tString), required("kafka_partition", tInt), required("kafka_offset", tLong),
			required("kafka_timestamp", tTimestamp), required("rejected_at", tTimestamp), required("ingest_date", tDate)),
		spec(GoldDailyUserMetrics, "event_date",
			required("user_id", tString), required("currency", tString), required("tx_count", tLong),
			required("total_amount", tTotal), required("avg_amount", tTotal), required("min_amount", tAmount),
			required("max_amount", tAmount), required("event_date", tDate)),
		spec(GoldDailyUserRanking, "event_date",
			required("currency", tString), required("rank", tInt), required("user_id", tString),
			required("total_amount", tTotal), required("tx_count", tLong), required("event_date", tDate)),
		spec(GoldDailyCurrencySummary, "event_date",
			required("currency", tString), required("tx_count", tLong), required("total_amount", tTotal),
			required("unique_users", tLong), required("event_date", tDate)),
	}
}
