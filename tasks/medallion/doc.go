// Package medallion answers questions about the pipeline as a whole: how
// far each step is behind its input (Measure, KafkaLag) and what the lake
// holds (Summarize). It runs no step itself: the steps run as tasks of the
// finpipe_medallion DAG, through the scheduler and its workers, in `finpipe
// standalone`, `finpipe demo` and `finpipe bench pipeline` alike.
package medallion
