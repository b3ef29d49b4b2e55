package kube

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/kubernetes/scheme"
)

// problem is one thing wrong in a snapshot, positioned as
// file:line:col: path: message.
// maxProblems is how many problems of a snapshot are listed; the rest are
// counted (a wrong file can hold thousands).
const maxProblems = 50

func problem(file string, n *yaml.Node, path, msg string) error {
	pos := file
	if n != nil && n.Line > 0 {
		pos += fmt.Sprintf(":%d:%d", n.Line, n.Column)
	}
	if path != "" {
		pos += ": " + path
	}
	return errors.New(pos + ": " + msg)
}

// ReadSnapshot decodes a snapshot file: the output of [SnapshotCommand]
// (a List), typed lists (a PodList…), the same objects as multi-document
// YAML, or JSON. Objects of other kinds are counted in Objects.Ignored.
// Pods (PDBs) count as listed when the snapshot holds a Pod or a PodList
// (a PodDisruptionBudget or a PodDisruptionBudgetList). Every problem is
// reported (errors.Join, one a line, the first maxProblems of them),
// positioned at the object.
func ReadSnapshot(file string, data []byte) (*Objects, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	objs := &Objects{}
	var ps []error
	for doc := 0; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, problem(file, nil, "", "invalid YAML: "+strings.TrimPrefix(err.Error(), "yaml: "))
		}
		root := &n
		if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			root = root.Content[0]
		}
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue
		}
		path := ""
		if doc > 0 {
			path = fmt.Sprintf("document %d", doc+1)
		}
		if items := listItems(root); items != nil {
			for i, item := range items.Content {
				ps = append(ps, decodeObject(file, join(path, fmt.Sprintf("items[%d]", i)), item, objs)...)
			}
			addListKind(root, objs)
			continue
		}
		ps = append(ps, decodeObject(file, path, root, objs)...)
	}
	if len(ps) > maxProblems {
		more := len(ps) - maxProblems
		ps = append(ps[:maxProblems:maxProblems], fmt.Errorf("… and %d more problems (only the first %d are listed)", more, maxProblems))
	}
	if len(ps) > 0 {
		return nil, errors.Join(ps...)
	}
	return objs, nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + ": " + b
}

// listItems returns the items of a List (kind List or FooList), or nil.
func listItems(n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var kind string
	var items *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "kind":
			kind = n.Content[i+1].Value
		case "items":
			items = n.Content[i+1]
		}
	}
	if !strings.HasSuffix(kind, "List") {
		return nil
	}
	if items == nil || items.Kind != yaml.SequenceNode {
		return &yaml.Node{Kind: yaml.SequenceNode}
	}
	return items
}

// addListKind adds an empty list of a typed list's kind (a PodList, not a
// List), so that Objects records that the kind was listed even when the
// list is empty. A list of a kind the scheme does not know adds nothing.
func addListKind(n *yaml.Node, objs *Objects) {
	head := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; k == "apiVersion" || k == "kind" {
			head[k] = n.Content[i+1].Value
		}
	}
	if head["kind"] == "List" {
		return
	}
	js, err := json.Marshal(head)
	if err != nil {
		return
	}
	if obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(js, nil, nil); err == nil && meta.IsListType(obj) {
		objs.Add(obj)
	}
}

func decodeObject(file, path string, n *yaml.Node, objs *Objects) []error {
	at := func(msg string, args ...any) []error {
		return []error{problem(file, n, path, fmt.Sprintf(msg, args...))}
	}
	if n.Kind != yaml.MappingNode {
		return at("want a Kubernetes object (a mapping with apiVersion and kind)")
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return at("%v", err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		return at("%v", err)
	}
	obj, gvk, err := scheme.Codecs.UniversalDeserializer().Decode(js, nil, nil)
	if err != nil {
		if gvk != nil && gvk.Kind != "" && strings.Contains(err.Error(), "no kind") {
			objs.Add(&unknownObject{kind: gvk.Kind})
			return nil
		}
		return at("%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	objs.Add(obj)
	return nil
}
