// Package deploy holds the checks that keep the deployment files at the
// repository root (docker-compose.yml, Dockerfile, .env.example) true to the
// binary: no Docker engine runs where tests run, so the compose file is
// validated statically and every command, flag and variable it uses is looked
// up in the real finpipe binary and in internal/config.
package deploy
