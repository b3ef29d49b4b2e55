package prom

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Every pod must land in exactly one chunk, and no chunk may hold more
// containers than the budget (unless a single pod does).
func TestChunksCoverEveryPodOnce(t *testing.T) {
	perNS := map[string]map[string]int{"small": {"a-1": 1, "b-2": 2}, "tiny": {"x": 1}, "big": {}}
	for i := range 500 {
		perNS["big"][fmt.Sprintf("web-7f9c6b8d5b-%05x", i*7919)] = 2
	}
	perNS["big"]["web-0"] = 1
	perNS["big"]["0"] = 1 // a pod named like a suffix
	for _, budget := range []int{1, 3, 40, 999, 5000} {
		chunks := chunkContainers(perNS, budget)
		if budget >= 1006 != (len(chunks) == 1 && chunks[0] == "") {
			t.Errorf("budget %d: chunks = %d; want one unfiltered query exactly when everything fits", budget, len(chunks))
		}
		seen := map[string]int{}
		for _, ch := range chunks {
			n := 0
			match := matcher(ch)
			for ns, pods := range perNS {
				for pod, c := range pods {
					if match(ns, pod) {
						seen[ns+"/"+pod]++
						n += c
					}
				}
			}
			if n > budget && n > 2 {
				t.Errorf("budget %d: chunk %s holds %d containers", budget, ch, n)
			}
		}
		for ns, pods := range perNS {
			for pod := range pods {
				if seen[ns+"/"+pod] != 1 {
					t.Errorf("budget %d: pod %s/%s is in %d chunks; want 1", budget, ns, pod, seen[ns+"/"+pod])
				}
			}
		}
	}
}

// matcher evaluates a chunk's matchers (namespace=~"…", namespace="…",
// pod=~"…") the way Prometheus does: anchored, PromQL string escapes undone.
func matcher(chunk string) func(ns, pod string) bool {
	type m struct {
		pod bool
		re  *regexp.Regexp
	}
	var ms []m
	for _, x := range regexp.MustCompile(`(\w+)(=~|=)"((?:[^"\\]|\\.)*)"`).FindAllStringSubmatch(chunk, -1) {
		val := strings.ReplaceAll(x[3], `\\`, `\`)
		if x[2] == "=" {
			val = regexp.QuoteMeta(val)
		}
		ms = append(ms, m{x[1] == "pod", regexp.MustCompile("^(?:" + val + ")$")})
	}
	return func(ns, pod string) bool {
		for _, x := range ms {
			target := ns
			if x.pod {
				target = pod
			}
			if !x.re.MatchString(target) {
				return false
			}
		}
		return true
	}
}

func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{`cluster="prod"`, `a="x,y", b!~"z.*"`, `a=="x"`, `"`, `a="\"",b="\\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := parseSelector(s)
		if err != nil {
			return
		}
		for _, m := range ms {
			if !matcherRE.MatchString(m) {
				t.Errorf("parseSelector(%q) accepted %q", s, m)
			}
		}
	})
}
