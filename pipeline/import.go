package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/importer"
	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/report"
)

// ImportConfig says where `headroom import` reads the system from and
// where the System file goes.
type ImportConfig struct {
	// Snapshot names a snapshot file (kube.ImportSnapshotCommand's
	// output), read through the use case's Files; it comes first.
	Snapshot string
	// API reads the cluster's objects, Events included, from Kubernetes
	// when there is no snapshot; Context names it in messages.
	API     func(ctx context.Context, namespace string) (*kube.Objects, error)
	Context string
	// Namespace limits the import to one namespace ("" is every one but
	// the system namespaces).
	Namespace string
	// Prometheus, when not nil, holds the history; History says which.
	Prometheus *prom.Client
	History    prom.HistoryOptions
	// CapacityDir, when set, holds capacity profiles from `headroom
	// capacity`, matched by name: NAME.capacity.json, NAME.capacity.yaml
	// or NAME.json, NAME being the component's or the workload's name.
	CapacityDir string
	// Out names the System file to be written: the profiles and the
	// replay CSV are named relative to its directory.
	Out string
	// Options are the import's choices (name, entry, objectives…).
	Options importer.Options
}

// ImportResult is an import: the System file and the replay CSV to
// write, and what was imported.
type ImportResult struct {
	*importer.Result
	// YAML is the System file.
	YAML []byte
	// ReplayPath is where the replay CSV goes ("" without one): beside
	// the System file.
	ReplayPath string
	// Scenarios are the System's scenarios as `headroom sim` reads them,
	// and Notes what it says of the file: proof that it simulates.
	Scenarios []string
	SimNotes  []string
	// Queries is the number of Prometheus queries sent.
	Queries int64
}

// Import reads the cluster (snapshot or API) and, with Prometheus, its
// history, writes the System file and checks it the way `headroom sim`
// reads it (every value parses, the model compiles, the scenarios load).
// Bad input is an *InputError; a System file that would not simulate is
// an error (a bug of the import, never written).
func Import(ctx context.Context, files Files, cfg ImportConfig) (*ImportResult, error) {
	objs, source, err := importObjects(ctx, files, cfg)
	if err != nil {
		return nil, err
	}
	facts := objs.Facts(cfg.Namespace, source)
	opt := cfg.Options
	if opt.Name == "" {
		opt.Name = "imported"
		if cfg.Namespace != "" {
			opt.Name = cfg.Namespace
		}
	}
	outDir := filepath.Dir(cfg.Out)
	if cfg.CapacityDir != "" {
		opt.Profiles = map[string]string{}
	}

	var hist *importer.History
	if cfg.Prometheus != nil {
		hopt := cfg.History
		hopt.Entry = entryWorkload(facts, opt.Entry)
		hist, err = prom.FetchHistory(ctx, cfg.Prometheus, facts.Workloads, hopt)
		if err != nil {
			return nil, err
		}
		if hopt.Entry == "" {
			if err := trafficOfChosenEntry(ctx, cfg.Prometheus, facts, hist, hopt, opt); err != nil {
				return nil, err
			}
		}
	}
	// Profiles, by the component's or the workload's name.
	if cfg.CapacityDir != "" {
		first, err := importer.Build(facts, hist, opt)
		if err != nil {
			return nil, inputError(err, "import a namespace that runs Deployments or StatefulSets")
		}
		for i, name := range first.Components {
			wname := first.Workloads[i][strings.LastIndex(first.Workloads[i], "/")+1:]
			p, prof, ok, err := findProfile(files, cfg.CapacityDir, name, wname)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			rel, err := filepath.Rel(outDir, p)
			if err != nil {
				rel = p
			}
			opt.Profiles[name] = filepath.ToSlash(rel)
			if prof.IsLowerBound() {
				if opt.LowerBoundProfiles == nil {
					opt.LowerBoundProfiles = map[string]string{}
				}
				opt.LowerBoundProfiles[name] = string(prof.LimitedBy)
			}
		}
	}
	res, err := importer.Build(facts, hist, opt)
	if err != nil {
		return nil, inputError(err, "import a namespace that runs Deployments or StatefulSets")
	}
	if hist != nil {
		res.Notes = append(res.Notes, hist.Notes...)
		for _, w := range cfg.Prometheus.Warnings() {
			res.Notes = append(res.Notes, "Prometheus warned: "+w+" (the history may be partial)")
		}
	}
	y, err := res.YAML()
	if err != nil {
		return nil, err
	}
	out := &ImportResult{Result: res, YAML: y}
	if res.Replay != nil {
		out.ReplayPath = filepath.Join(outDir, filepath.FromSlash(res.ReplayFile))
	}
	if cfg.Prometheus != nil {
		out.Queries = cfg.Prometheus.Queries()
	}
	// Read it back as headroom sim would, before anything is written.
	check := overlayFiles{files: files, over: map[string][]byte{cfg.Out: y}}
	if out.ReplayPath != "" {
		check.over[out.ReplayPath] = res.Replay
	}
	sys, err := ReadSystem(check, SystemConfig{File: cfg.Out})
	if err != nil {
		return nil, fmt.Errorf("the imported System file does not read back (a bug of headroom import, please report it): %w", err)
	}
	out.Scenarios = sys.File.ScenarioNames()
	out.SimNotes = sys.Notes()
	return out, nil
}

// trafficOfChosenEntry reads the traffic of the entry the import
// chooses (the one component no other calls), when none was named; when
// it cannot choose one, the history has no traffic and a note says why.
func trafficOfChosenEntry(ctx context.Context, c *prom.Client, facts importer.Cluster, hist *importer.History, hopt prom.HistoryOptions, opt importer.Options) error {
	res, err := importer.Build(facts, hist, opt)
	if err != nil {
		return inputError(err, "import a namespace that runs Deployments or StatefulSets")
	}
	for _, it := range res.Items {
		if it.Path != "spec.entry" {
			continue
		}
		if it.Status == importer.Unknown {
			hist.Notes = append(hist.Notes, "no entry given, and the call graph does not single one out: no traffic history read (name the entry to replay its biggest spike)")
			return nil
		}
		for i, name := range res.Components {
			if name == it.Value {
				ref := res.Workloads[i]
				kind, nsName, _ := strings.Cut(ref, " ")
				ns, n, _ := strings.Cut(nsName, "/")
				return prom.FetchTraffic(ctx, c, importer.Workload{Kind: kind, Namespace: ns, Name: n}, hopt, hist)
			}
		}
	}
	return nil
}

// importObjects reads the cluster's objects.
func importObjects(ctx context.Context, files Files, cfg ImportConfig) (*kube.Objects, string, error) {
	switch {
	case cfg.Snapshot != "":
		data, err := files.ReadFile(cfg.Snapshot)
		if err != nil {
			return nil, "", inputError(err, "check the path of the snapshot (a kubectl get -o yaml snapshot)")
		}
		objs, err := kube.ReadSnapshot(cfg.Snapshot, data)
		if err != nil {
			return nil, "", inputError(err, "a snapshot is the output of: "+kube.ImportSnapshotCommand)
		}
		if len(objs.Events) == 0 {
			objs.Notes = append(objs.Notes, "the snapshot holds no Events: image pull times are not known (add event to the kinds the snapshot lists)")
		}
		return objs, "snapshot " + cfg.Snapshot, nil
	case cfg.API != nil:
		objs, err := cfg.API(ctx, cfg.Namespace)
		if err != nil {
			return nil, "", fmt.Errorf("context %s: %w (check access with: kubectl get deploy,sts,hpa,pdb,pod,node,event -A)", cfg.Context, err)
		}
		return objs, "context " + cfg.Context, nil
	}
	return nil, "", inputError(errors.New("no cluster: no snapshot and no Kubernetes API"), "give a snapshot file or a Kubernetes context")
}

// entryWorkload is the workload ("namespace/name") of the entry the
// options name, or "" when they name none or none matches.
func entryWorkload(c importer.Cluster, entry string) string {
	if entry == "" {
		return ""
	}
	for _, w := range c.Workloads {
		if w.Name == entry || w.Namespace+"/"+w.Name == entry {
			return w.Namespace + "/" + w.Name
		}
	}
	return ""
}

// findProfile looks for a capacity profile in dir, and reads it: a
// profile that does not read or validate is bad input.
func findProfile(files Files, dir string, names ...string) (string, *capacity.Profile, bool, error) {
	for _, n := range names {
		for _, f := range []string{n + ".capacity.json", n + ".capacity.yaml", n + ".json"} {
			p := filepath.Join(dir, f)
			data, err := files.ReadFile(p)
			if err != nil {
				continue
			}
			const hint = "a capacity profile is what headroom capacity writes; fix or move it"
			docs, err := spec.Parse(p, data)
			if err != nil {
				return "", nil, false, inputError(err, hint)
			}
			var prof capacity.Profile
			docs[0].Decode(&prof)
			if err := docs[0].Err(); err != nil {
				return "", nil, false, inputError(err, hint)
			}
			if err := prof.Validate(); err != nil {
				return "", nil, false, inputError(fmt.Errorf("capacity profile %s: %w", p, err), hint)
			}
			return p, &prof, true, nil
		}
	}
	return "", nil, false, nil
}

// overlayFiles serves some files from memory, the rest from files.
type overlayFiles struct {
	files Files
	over  map[string][]byte
}

// ReadFile returns the file held in memory by that name (cleaned), else
// reads it.
func (o overlayFiles) ReadFile(name string) ([]byte, error) {
	for k, v := range o.over {
		if filepath.Clean(k) == filepath.Clean(name) || path.Clean(k) == path.Clean(name) {
			return v, nil
		}
	}
	if o.files == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return o.files.ReadFile(name)
}

// Document is the import's summary as a report.
func (r *ImportResult) Document(command string) report.Document {
	return report.ImportDocument(report.ImportReport{Result: r.Result, Scenarios: r.Scenarios, Replay: r.ReplayPath, Queries: r.Queries}, command)
}
