package main

import "context"

func runOrchestratorFaults(ctx context.Context, e *suite) []row { return nil }
func runPipelineFaults(ctx context.Context, e *suite) []row     { return nil }
func runLoad(ctx context.Context, e *suite) []row               { return nil }
