package load

import (
	"net/url"
	"strings"
)

// Redacted replaces a secret wherever headroom would otherwise show it: in
// errors, summaries and results files.
const Redacted = "REDACTED"

// secretWords mark a query parameter whose value is a credential: its
// name, lower-cased, contains one of them (token, access_token, api_key,
// password, client_secret, X-Amz-Signature, sig, session, auth…).
var secretWords = []string{"token", "pass", "pwd", "secret", "key", "auth", "sig", "credential", "session", "cookie", "jwt"}

// RedactURL returns the URL with its secrets replaced by Redacted: the
// user information (user:password@) and the values of query parameters
// whose names look like credentials (?token=, ?password=, ?api_key=…). The
// rest, path included, is kept as written, templates too. It never fails:
// a string that is not a URL is returned with the same rules applied as far
// as they go.
func RedactURL(raw string) string {
	scheme, rest, hasScheme := strings.Cut(raw, "://")
	if !hasScheme {
		scheme, rest = "", raw
	}
	authEnd := strings.IndexAny(rest, "/?#")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	auth, tail := rest[:authEnd], rest[authEnd:]
	if hasScheme {
		if at := strings.LastIndexByte(auth, '@'); at >= 0 {
			auth = Redacted + auth[at:]
		}
	} else {
		auth, tail = "", rest
	}
	path, query, hasQuery := strings.Cut(tail, "?")
	frag := ""
	if hasQuery {
		if i := strings.IndexByte(query, '#'); i >= 0 {
			query, frag = query[:i], query[i:]
		}
		query = redactQuery(query)
	}
	var b strings.Builder
	if hasScheme {
		b.WriteString(scheme + "://")
	}
	b.WriteString(auth)
	b.WriteString(path)
	if hasQuery {
		b.WriteString("?" + query)
	}
	b.WriteString(frag)
	return b.String()
}

// redactQuery replaces the values of credential-like parameters.
func redactQuery(q string) string {
	parts := strings.FieldsFunc(q, func(r rune) bool { return r == '&' || r == ';' })
	if len(parts) == 0 {
		return q
	}
	changed := false
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		if hasValue && secretName(k) {
			parts[i] = k + "=" + Redacted
			changed = true
		}
	}
	if !changed {
		return q
	}
	return strings.Join(parts, "&")
}

// secretName reports whether a query parameter's name looks like a
// credential's.
func secretName(k string) bool {
	if u, err := url.QueryUnescape(k); err == nil {
		k = u
	}
	k = strings.ToLower(k)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
