package spec

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/traffic"
)

// Shape is a traffic shape in a YAML file, written either in its one-line
// form or as a mapping with a kind:
//
//	traffic: spike:base=50,peak=1500,at=1m,rise=2m
//
//	traffic:
//	  kind: spike
//	  base: 50
//	  peak: 1500
//	  at: 1m
//	  rise: 2m
//
// Problems name the key at fault and point at its line.
type Shape struct {
	Curve *traffic.Curve
}

// UnmarshalSpec implements Unmarshaler.
func (s *Shape) UnmarshalSpec(d *Document, n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.ScalarNode:
		c, err := traffic.Parse(n.Value, d.Load)
		if err != nil {
			d.Errorf(path, "%v", err)
			return
		}
		s.Curve = c
	case yaml.MappingNode:
		var kind string
		var params []traffic.Param
		keyPath := map[string]string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], resolve(n.Content[i+1])
			p := join(path, k.Value)
			d.mark(p, k)
			if v.Kind != yaml.ScalarNode {
				d.Errorf(p, "want a single value, got %s", describe(v))
				return
			}
			if k.Value == "kind" {
				kind = v.Value
				continue
			}
			params = append(params, traffic.Param{Key: k.Value, Value: v.Value})
			keyPath[k.Value] = p
		}
		if kind == "" {
			d.Errorf(path, "missing required field \"kind\" (one of constant, ramp, steps, stages, spike, replay)")
			return
		}
		c, err := traffic.Build(kind, params, d.Load)
		if err != nil {
			var pe *traffic.ParamError
			if errors.As(err, &pe) && pe.Key != "" {
				at := keyPath[pe.Key]
				if at == "" {
					at = path
				}
				d.Errorf(at, "%v", err)
				return
			}
			d.Errorf(join(path, "kind"), "%v", err)
			return
		}
		s.Curve = c
	default:
		d.Errorf(path, "want a traffic shape (like constant:rate=100,for=1m), got %s", describe(n))
	}
}

// String is the shape's one-line form.
func (s Shape) String() string {
	if s.Curve == nil {
		return ""
	}
	return s.Curve.String()
}

// MarshalYAML writes the shape in its one-line form.
func (s Shape) MarshalYAML() (any, error) {
	if s.Curve == nil {
		return nil, fmt.Errorf("empty traffic shape")
	}
	return s.Curve.String(), nil
}
