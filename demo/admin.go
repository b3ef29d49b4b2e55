package demo

import (
	"errors"
	"net"
	"net/http"
	"strings"
)

// adminPrefix is the path prefix of the endpoints that change a
// component's behaviour.
const adminPrefix = "/admin/"

var errAdminForbidden = errors.New("admin endpoints answer only requests addressed to this server (Host a loopback or bound address) and not sent from another origin")

// adminGuard decides who may use /admin/: requests addressed to a
// loopback name or address or to one of the bound hosts, and not sent by
// a page of another origin.
type adminGuard struct {
	hosts []string // lowercase host names and canonical IP addresses
	anyIP bool     // bound to an unspecified address: any IP literal
}

func newAdminGuard(hosts []string) adminGuard {
	var g adminGuard
	for _, h := range hosts {
		h = strings.ToLower(strings.Trim(strings.TrimSpace(h), "[]"))
		if h == "" {
			continue
		}
		if ip := net.ParseIP(h); ip != nil {
			if ip.IsUnspecified() {
				g.anyIP = true
				continue
			}
			h = ip.String()
		}
		g.hosts = append(g.hosts, h)
	}
	return g
}

// allows reports whether r may use an admin endpoint.
func (g adminGuard) allows(r *http.Request) bool {
	if !g.hostAllowed(r.Host) {
		return false
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	origin := r.Header.Values("Origin")
	switch {
	case len(origin) == 0:
		return true // not sent by a browser page, or a same-origin GET
	case len(origin) > 1:
		return false
	}
	o := strings.ToLower(origin[0])
	host := strings.ToLower(r.Host)
	return o == "http://"+host || o == "https://"+host
}

// hostAllowed reports whether a Host header names this server.
func (g adminGuard) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	if ip != nil {
		if ip.IsLoopback() || g.anyIP {
			return true
		}
		host = ip.String()
	}
	for _, h := range g.hosts {
		if h == host {
			return true
		}
	}
	return false
}
