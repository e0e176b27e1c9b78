package web

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// PostgreSQL refuses text with a NUL character or invalid UTF-8 (and jsonb
// refuses \u0000) with an error that is not the client's to see. These
// helpers stop such input at the door, so it is a 400 or a 404, never a 500.

// cleanID makes a path or query id safe to send to the database. Ids never
// contain NUL or invalid UTF-8, so mapping those to U+FFFD keeps a lookup
// honest: it simply finds nothing (404).
func cleanID(v string) string {
	if utf8.ValidString(v) && !strings.ContainsRune(v, 0) {
		return v
	}
	return strings.ReplaceAll(strings.ToValidUTF8(v, "\uFFFD"), "\x00", "\uFFFD")
}

// checkText rejects a body string PostgreSQL cannot store.
func checkText(field, v string) error {
	if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
		return badRequest(fmt.Sprintf("%s must not contain NUL characters or invalid UTF-8", field))
	}
	return nil
}

// checkConf rejects a conf object with a NUL in any key or string, at any
// depth: jsonb cannot store \u0000.
func checkConf(field string, v any) error {
	switch x := v.(type) {
	case string:
		return checkText(field, x)
	case map[string]any:
		for k, e := range x {
			if err := checkText(field+" key", k); err != nil {
				return err
			}
			if err := checkConf(field, e); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkConf(field, e); err != nil {
				return err
			}
		}
	}
	return nil
}
