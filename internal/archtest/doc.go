// Package archtest holds no code: its test keeps the import directions of
// the README's layout (see archtest_test.go).
package archtest
