package web

import (
	"net/http"
	"regexp"
	"time"
)

type lakePage struct {
	LakeDir  string
	Tables   []tableStat
	Lag      []PartitionLag
	LagError string
	LagOn    bool
	Gold     goldDashboard
	GoldErr  string
}

// currencyCode is the form of the currency picker's values (ISO 4217).
var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// GET /lake?day=YYYY-MM-DD&currency=EUR
func (s *server) uiLake(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	day, cur := r.URL.Query().Get("day"), r.URL.Query().Get("currency")
	if day != "" {
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			s.uiError(w, r, badRequest("day must be a date (YYYY-MM-DD)"))
			return
		}
	}
	if cur != "" && !currencyCode.MatchString(cur) {
		s.uiError(w, r, badRequest("currency must be a three-letter code such as EUR"))
		return
	}
	page := lakePage{LakeDir: s.lakeDir, LagOn: s.kafkaLag != nil}
	if s.lakeDir != "" {
		for _, name := range s.layout.Tables {
			page.Tables = append(page.Tables, s.statTable(ctx, name))
		}
	}
	// The poller refreshes only the table list and lag; charts load once.
	if s.lakeDir != "" && r.URL.Query().Get("fragment") == "" {
		g, err := s.loadGold(ctx, day, cur)
		if err != nil {
			s.log.Warn("lake: gold dashboard", "err", err)
			page.GoldErr = "cannot read the Gold tables (see the server log)"
		}
		page.Gold = g
	}
	if page.LagOn {
		lag, err := s.lagCache.get(ctx, s.kafkaLag)
		if err != nil {
			s.log.Warn("lake: kafka lag", "err", err)
			page.LagError = "Kafka is not reachable"
		}
		page.Lag = lag
	}
	s.render(w, r, http.StatusOK, "lake", "Lake", page)
}
