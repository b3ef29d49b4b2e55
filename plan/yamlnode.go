package plan

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// Small helpers to build and patch YAML trees, so that output keeps a
// readable key order and a patched file keeps its comments.

// mapping builds a mapping node from key, value pairs; a value is a
// *yaml.Node, a string, an int, a float64 or a bool. Nil values are
// skipped.
func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for j := 0; j+1 < len(kv); j += 2 {
		v := scalarOf(kv[j+1])
		if v == nil {
			continue
		}
		n.Content = append(n.Content, str(kv[j].(string)), v)
	}
	return n
}

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// quoted is a string scalar written in double quotes (cron fields,
// numbers KEDA wants as strings).
func quoted(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func intNode(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func floatNode(f float64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(f, 'g', -1, 64)}
}

func scalarOf(v any) *yaml.Node {
	switch x := v.(type) {
	case nil:
		return nil
	case *yaml.Node:
		return x
	case string:
		return str(x)
	case int:
		return intNode(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return intNode(int(x))
		}
		return floatNode(x)
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	}
	panic(fmt.Sprintf("plan: no YAML scalar for %T", v))
}

// child returns the value of key in mapping m, or nil.
func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == key {
			return m.Content[j+1]
		}
	}
	return nil
}

// set sets key in mapping m to v, in place when present.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == key {
			// Keep a comment that sat on the old value.
			v.LineComment = m.Content[j+1].LineComment
			m.Content[j+1] = v
			return
		}
	}
	m.Content = append(m.Content, str(key), v)
}

// del removes key from mapping m.
func del(m *yaml.Node, key string) {
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == key {
			m.Content = append(m.Content[:j], m.Content[j+2:]...)
			return
		}
	}
}

// ensure returns the mapping under key, creating it when absent.
func ensure(m *yaml.Node, key string) *yaml.Node {
	if c := child(m, key); c != nil && c.Kind == yaml.MappingNode {
		return c
	}
	c := mapping()
	set(m, key, c)
	return c
}

// clone deep-copies a node.
func clone(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	out := *n
	out.Content = make([]*yaml.Node, len(n.Content))
	for j, c := range n.Content {
		out.Content[j] = clone(c)
	}
	if n.Alias != nil {
		out.Alias = clone(n.Alias)
	}
	return &out
}

// encode writes documents as one YAML stream.
func encode(docs ...*yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("write YAML: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write YAML: %w", err)
	}
	return b.Bytes(), nil
}

// quantity writes milli-units as a Kubernetes quantity: 50000 → "50",
// 11520 → "11520m".
func quantity(milli int64) string {
	if milli%1000 == 0 {
		return strconv.FormatInt(milli/1000, 10)
	}
	return strconv.FormatInt(milli, 10) + "m"
}

// durationString writes a duration for a System file: 6ms, 2500us, 1m30s.
func durationString(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Millisecond == 0 && d < time.Second:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	case d < time.Millisecond && d%time.Microsecond == 0:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
	case d < time.Second:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
	}
	return fmtDuration(d)
}
