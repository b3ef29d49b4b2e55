package clustergen

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// safeAlphabet is the alphabet Kubernetes draws generated name suffixes
// and pod-template hashes from (no vowels, no look-alikes).
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// hash64 hashes parts, each delimited, with FNV-1a.
func hash64(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// rng returns a random stream of its own for what parts name, so that
// every pod, container and name draws the same numbers whatever else is
// generated and in whatever order.
func (g *gen) rng(parts ...string) *rand.Rand {
	return rand.New(rand.NewPCG(g.opts.Seed, hash64(parts...)))
}

// randString draws n characters of the safe alphabet.
func randString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = safeAlphabet[r.IntN(len(safeAlphabet))]
	}
	return string(b)
}

// randHex draws n lower-case hex digits.
func randHex(r *rand.Rand, n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[r.IntN(16)]
	}
	return string(b)
}

// uid draws a UUID-shaped object UID.
func (g *gen) uid(parts ...string) string {
	r := g.rng(append([]string{"uid"}, parts...)...)
	return fmt.Sprintf("%s-%s-%s-%s-%s", randHex(r, 8), randHex(r, 4), randHex(r, 4), randHex(r, 4), randHex(r, 12))
}

// poisson draws a Poisson variate of mean lambda.
func poisson(r *rand.Rand, lambda float64) float64 {
	switch {
	case lambda <= 0:
		return 0
	case lambda < 30:
		// Knuth, in log space to stay exact for small means.
		k, p := 0.0, 0.0
		for {
			p += -expRand(r)
			if p < -lambda {
				return k
			}
			k++
		}
	}
	v := lambda + r.NormFloat64()*math.Sqrt(lambda)
	if v < 0 {
		return 0
	}
	return float64(int64(v + 0.5))
}

func expRand(r *rand.Rand) float64 { return r.ExpFloat64() }
