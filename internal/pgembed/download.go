package pgembed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"

	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
)

// startDownloaded is the fallback for machines without PostgreSQL installed:
// embedded-postgres fetches a release once into <DataDir>/../pgcache. That
// library runs the server as the current user, so it cannot serve root.
func (s *Server) startDownloaded(_ context.Context, o Options) error {
	dir := s.home
	if os.Geteuid() == 0 {
		return errors.New("pgembed: no local PostgreSQL binaries and running as root; install them (apt-get install postgresql) or set DATABASE_URL")
	}
	port := o.Port
	if port == 0 {
		p, err := choosePort(filepath.Dir(dir), 0)
		if err != nil {
			return err
		}
		port = p
	}
	cfg := embeddedpostgres.DefaultConfig().
		Port(uint32(port)).
		Database(o.Database).
		DataPath(dir).
		RuntimePath(filepath.Join(filepath.Dir(dir), "pgruntime")).
		CachePath(filepath.Join(filepath.Dir(dir), "pgcache")).
		StartTimeout(o.StartTimeout)
	db := embeddedpostgres.NewDatabase(cfg)
	if err := db.Start(); err != nil {
		return err
	}
	_ = os.WriteFile(filepath.Join(filepath.Dir(dir), portFile), []byte(strconv.Itoa(port)), 0o600)
	// DefaultConfig's documented credentials: postgres/postgres.
	u := "postgres://postgres:postgres@127.0.0.1:" + strconv.Itoa(port) + "/" + o.Database + "?sslmode=disable"
	s.url, s.fallback = u, db.Stop
	return nil
}
