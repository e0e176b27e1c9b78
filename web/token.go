package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// TokenFile is the name of the file, in the data directory, that keeps the
// generated API token across restarts.
const TokenFile = "api_token"

// minTokenLen rejects tokens short enough to guess; a generated one has 43
// characters.
const minTokenLen = 16

// LoadOrCreateToken returns the API token: FINPIPE_API_TOKEN's value when
// env is non-empty, else the one stored in <dataDir>/api_token, else a new
// random one written there with mode 0600. created reports the last case, so
// the caller prints how to log in exactly once.
func LoadOrCreateToken(dataDir, env string) (token string, created bool, err error) {
	if env = strings.TrimSpace(env); env != "" {
		if len(env) < minTokenLen {
			return "", false, fmt.Errorf("FINPIPE_API_TOKEN must be at least %d characters", minTokenLen)
		}
		return env, false, nil
	}
	path := filepath.Join(dataDir, TokenFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if t := strings.TrimSpace(string(b)); len(t) >= minTokenLen {
			return t, false, nil
		}
		return "", false, fmt.Errorf("%s holds no usable token (delete it to generate a new one)", path)
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, fmt.Errorf("read API token: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", false, err
	}
	token = base64.RawURLEncoding.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", false, fmt.Errorf("create data dir: %w", err)
	}
	// O_EXCL: two processes starting together must not each write their own.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateToken(dataDir, "")
	}
	if err != nil {
		return "", false, fmt.Errorf("write API token: %w", err)
	}
	if _, err := f.WriteString(token + "\n"); err != nil {
		f.Close()
		return "", false, fmt.Errorf("write API token: %w", err)
	}
	return token, true, f.Close()
}
