package testenv

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
)

// S3Fault serves one request that a fault proxy received: it forwards it to
// the S3 server with upstream, or stands in for a fault (a 503, a stall, a
// dropped connection, an answer lost after the server stored the object).
type S3Fault func(w http.ResponseWriter, r *http.Request, upstream http.Handler)

// S3FaultProxy starts an HTTP proxy in front of the S3 server of the lake
// URL lakeURL (its endpoint query parameter) whose every request goes to
// serve, and returns lakeURL with the proxy as its endpoint, and a stop
// function. The delta S3 fault tests and the reliability suite's S3 rows
// inject their faults through it.
func S3FaultProxy(lakeURL string, serve S3Fault) (string, func(), error) {
	base, err := url.Parse(lakeURL)
	if err != nil {
		return "", nil, err
	}
	q := base.Query()
	upstream, err := url.Parse(q.Get("endpoint"))
	if err != nil || upstream.Host == "" {
		return "", nil, fmt.Errorf("testenv: %s has no endpoint to put a proxy in front of", lakeURL)
	}
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	// A server that is down is one of the faults: the client sees a 502
	// and retries; a log line per refused dial would only be noise.
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(w, r, proxy) }))
	q.Set("endpoint", srv.URL)
	base.RawQuery = q.Encode()
	return base.String(), srv.Close, nil
}

// ServiceUnavailable answers as S3 does when it sheds load: 503 with an
// S3 error body, which the AWS SDK retries.
func ServiceUnavailable(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>injected by the test's fault proxy</Message></Error>`)
}
