package web

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// safeNext turns a post-login or post-form "next" value into a redirect
// target on this site, or "/" when it is anything else.
//
// A prefix check on the raw value is not enough: http.Redirect cleans the
// path afterwards ("/x/../\evil" becomes "/\evil"), and browsers parse a
// Location by the WHATWG URL rules, which drop tabs and newlines anywhere,
// trim leading and trailing control characters and spaces, and read "\" as
// "/" in http(s) URLs, so "/\evil" and "/<TAB>/evil" both mean
// "//evil", another host. So the value is first read as a browser would,
// then cleaned as http.Redirect would, and the result, which is a fixed
// point of both, must still be a path on this origin.
func safeNext(next string) string {
	s := browserNormalize(next)
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	p := u.EscapedPath()
	cleaned := path.Clean(p)
	if strings.HasSuffix(p, "/") && cleaned != "/" {
		cleaned += "/"
	}
	if !strings.HasPrefix(cleaned, "/") || strings.HasPrefix(cleaned, "//") || strings.ContainsAny(cleaned, "\\\t\r\n") {
		return "/"
	}
	if u.RawQuery != "" {
		cleaned += "?" + escapeNonASCII(u.RawQuery)
	}
	return cleaned
}

// escapeNonASCII percent-encodes bytes outside ASCII, as http.Redirect
// would, so that the target is sent exactly as returned.
func escapeNonASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			fmt.Fprintf(&b, "%%%02x", s[i])
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// browserNormalize applies the WHATWG URL parser's preprocessing that can
// change where a URL points: strip leading and trailing C0 controls and
// spaces, remove every ASCII tab and newline, and treat backslashes as
// slashes (as it does for http and https URLs).
func browserNormalize(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= 0x20 })
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, s)
	return s
}
