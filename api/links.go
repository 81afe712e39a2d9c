package api

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Link is a web link as OGC API and the paging responses write it.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

var (
	hostRE   = regexp.MustCompile(`^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)
	prefixRE = regexp.MustCompile(`^(/[A-Za-z0-9._~\-]+)*$`)
)

// baseURL returns the scheme, host and path prefix under which the client
// reached the server. X-Forwarded-Proto, -Host and -Prefix are honoured only
// from trusted proxies, and only when well-formed.
func (s *Server) baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	prefix := ""
	if s.trusted(r) {
		if p := firstHeader(r, "X-Forwarded-Proto"); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstHeader(r, "X-Forwarded-Host"); hostRE.MatchString(h) {
			host = h
		}
		if p := strings.TrimSuffix(firstHeader(r, "X-Forwarded-Prefix"), "/"); prefixRE.MatchString(p) {
			prefix = p
		}
	}
	if !hostRE.MatchString(host) {
		host = "localhost"
	}
	return scheme + "://" + host + prefix
}

func firstHeader(r *http.Request, name string) string {
	v, _, _ := strings.Cut(r.Header.Get(name), ",")
	return strings.TrimSpace(v)
}

// pageHref returns the absolute URL of the current request with the cursor
// replaced (every filter kept); "" drops the cursor.
func (s *Server) pageHref(r *http.Request, p params, cur string) string {
	v := url.Values{}
	for k, vals := range p.v {
		if k != "cursor" {
			v[k] = vals
		}
	}
	if cur != "" {
		v.Set("cursor", cur)
	}
	u := s.baseURL(r) + r.URL.EscapedPath()
	if enc := v.Encode(); enc != "" {
		u += "?" + enc
	}
	return u
}
