package kafka

import "github.com/finpipe/finpipe/internal/config"

// ConnFrom is the cluster of the process settings: brokers (KAFKA_BROKERS,
// or the embedded broker's address, which speaks PLAINTEXT) with the TLS and
// SASL settings, which config.Settings.Load has checked fit together.
func ConnFrom(s *config.Settings, brokers string) Conn {
	if brokers != s.KafkaBrokers {
		return Conn{Brokers: brokers} // the embedded broker
	}
	return Conn{Brokers: brokers, Security: Security{
		Protocol:     s.KafkaSecurityProtocol,
		Mechanism:    s.KafkaSASLMechanism,
		Username:     s.KafkaSASLUsername,
		Password:     s.KafkaSASLPassword,
		CALocation:   s.KafkaSSLCALocation,
		CertLocation: s.KafkaSSLCertificateLocation,
		KeyLocation:  s.KafkaSSLKeyLocation,
		KeyPassword:  s.KafkaSSLKeyPassword,
		OAuth: OAuth{
			TokenEndpointURL: s.KafkaOAuthTokenEndpointURL,
			ClientID:         s.KafkaOAuthClientID,
			ClientSecret:     s.KafkaOAuthClientSecret,
			Scope:            s.KafkaOAuthScope,
		},
	}}
}
