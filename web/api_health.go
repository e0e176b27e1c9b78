package web

import (
	"context"
	"net/http"
	"time"
)

type checkResult struct {
	Status    string `json:"status"` // ok | unavailable
	LatencyMS int64  `json:"latency_ms"`
	Error     string `json:"error,omitempty"`
}

// GET /api/v1/health: no authentication, so load balancers and `curl` can
// probe it. 200 when every check passes, 503 otherwise. Failure details go
// to the server log only: they may name internal hosts.
func (s *server) apiHealth(w http.ResponseWriter, r *http.Request) error {
	out := map[string]checkResult{}
	status, overall := http.StatusOK, "ok"
	for _, c := range s.health {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		start := time.Now()
		err := c.Check(ctx)
		cancel()
		res := checkResult{Status: "ok", LatencyMS: time.Since(start).Milliseconds()}
		if err != nil {
			s.log.Warn("health check failed", "check", c.Name, "err", err)
			res.Status, res.Error = "unavailable", c.Name+" is not reachable"
			status, overall = http.StatusServiceUnavailable, "unavailable"
		}
		out[c.Name] = res
	}
	s.sendJSON(w, r, status, map[string]any{"status": overall, "checks": out})
	return nil
}
