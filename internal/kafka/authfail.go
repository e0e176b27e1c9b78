package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// ErrAuthentication is wrapped by the error of any call whose cluster
// refused FinPipe's credentials or whose TLS handshake failed.
//
// librdkafka treats both as transient: it reports them as an error event
// and reconnects forever, so a call would only end with a timeout that says
// nothing about the password. This package watches those events and ends
// the call at the first one.
var ErrAuthentication = errors.New("authentication failed")

// authFailure explains err when no retry can heal it (rejected credentials,
// an untrusted or mismatched certificate), and returns nil otherwise.
func authFailure(c Conn, err error) error {
	var kerr ck.Error
	if !errors.As(err, &kerr) {
		return nil
	}
	s := c.Security
	code := kerr.Code()
	// A broker that drops the connection on a refused login (kfake, some
	// proxies) shows as a transport error with librdkafka's fixed phrase.
	if code == ck.ErrTransport && strings.Contains(kerr.Error(), "SASL authentication error") {
		code = ck.ErrAuthentication
	}
	switch code {
	case ck.ErrAuthentication, ck.ErrSaslAuthenticationFailed:
		who := "SASL " + s.Mechanism
		if s.Username != "" {
			who += fmt.Sprintf(" user %q", s.Username)
		}
		return fmt.Errorf("kafka at %s: %w: %s was refused, check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or the OAUTHBEARER client): %v",
			c.Brokers, ErrAuthentication, who, kerr)
	case ck.ErrSsl:
		return fmt.Errorf("kafka at %s: %w: TLS handshake failed, check KAFKA_SSL_CA_LOCATION and that the brokers speak %s on this port: %v",
			c.Brokers, ErrAuthentication, s.protocol(), kerr)
	}
	return nil
}

// session is a short-lived admin client whose error events are watched:
// an authentication failure cancels ctx with the explained error as its
// cause, so a blocked admin call returns at once.
type session struct {
	*ck.AdminClient
	p       *ck.Producer
	cancel  context.CancelCauseFunc
	watched chan struct{}
}

// openAdmin opens a session on conn. The admin client is derived from a
// producer because a standalone admin client delivers its error events to
// nobody. Callers Close it and use the returned context for its calls.
func openAdmin(ctx context.Context, conn Conn) (*session, context.Context, error) {
	cfg := baseConfig(conn)
	cfg["go.logs.channel.enable"] = false
	// The producer never produces and its events are a few errors, yet by
	// default it makes buffers for a million of each (24 MB, zeroed and
	// scanned by the GC): a pipeline run opens several admin sessions, and
	// these were a quarter of all it allocated.
	cfg["go.events.channel.size"] = 64
	cfg["go.produce.channel.size"] = 1
	p, err := ck.NewProducer(&cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("kafka at %s: admin client: %w", conn, err)
	}
	a, err := ck.NewAdminClientFromProducer(p)
	if err != nil {
		p.Close()
		return nil, nil, fmt.Errorf("kafka at %s: admin client: %w", conn, err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	s := &session{AdminClient: a, p: p, cancel: cancel, watched: make(chan struct{})}
	go func() {
		defer close(s.watched)
		for ev := range p.Events() { // closed by p.Close
			if e, ok := ev.(ck.Error); ok {
				if err := authFailure(conn, e); err != nil {
					cancel(err)
				}
			}
		}
	}()
	return s, ctx, nil
}

// pending reports the authentication failure that ended ctx, if any.
func (s *session) pending(ctx context.Context) func() error {
	return func() error { return failed(ctx, nil) }
}

// Close releases the client and its watcher.
func (s *session) Close() {
	s.AdminClient.Close()
	s.p.Close()
	<-s.watched
	s.cancel(nil)
}

// failed prefers the authentication failure that ended ctx to err, the
// call's own (a cancelled context or a timeout).
func failed(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrAuthentication) {
		return cause
	}
	return err
}

// metadataSlice is how long one metadata request may block before the
// watcher's verdict is checked: librdkafka's GetMetadata takes no context.
const metadataSlice = 200 * time.Millisecond

// awaitMetadata calls GetMetadata in slices until it answers, the budget
// ends, or pending reports an authentication failure.
func awaitMetadata(ctx context.Context, src metadataSource, topic *string, pending func() error) (*ck.Metadata, error) {
	end := time.Now().Add(budget(ctx))
	for {
		left := time.Until(end)
		md, err := src.GetMetadata(topic, false, millis(min(left, metadataSlice)))
		if err == nil {
			return md, nil
		}
		if perr := pending(); perr != nil {
			return nil, perr
		}
		var kerr ck.Error
		retry := errors.As(err, &kerr) && (kerr.Code() == ck.ErrTimedOut || kerr.Code() == ck.ErrTransport)
		if !retry || time.Until(end) <= 0 || ctx.Err() != nil {
			return nil, failed(ctx, err)
		}
	}
}

// eventFailure drains the events already queued on ch without blocking and
// returns the first authentication failure among them.
func eventFailure(conn Conn, next func() ck.Event) error {
	for ev := next(); ev != nil; ev = next() {
		if err := authFailure(conn, asError(ev)); err != nil {
			return err
		}
	}
	return nil
}

func asError(ev ck.Event) error {
	if e, ok := ev.(ck.Error); ok {
		return e
	}
	return nil
}
