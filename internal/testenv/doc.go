// Package testenv gives tests the real services FinPipe runs on: a
// PostgreSQL database (an embedded server shared by the test binary, one
// fresh database per call, or FINPIPE_TEST_DATABASE_URL's server) and a
// Kafka-protocol broker (KAFKA_BROKERS, or an in-process one). It is the one
// place for such helpers; packages never copy them.
package testenv
