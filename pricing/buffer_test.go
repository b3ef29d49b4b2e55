package pricing

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestStandbyNodeIsUnknownUntilGiven(t *testing.T) {
	m, err := ParseMachineType("n2-standard-4")
	if err != nil {
		t.Fatal(err)
	}
	// The shipped catalog knows no suspended-state or disk price: a
	// standby buffer's cost is unknown, with a reason and where to give it.
	_, err = GCP().StandbyNode("us-central1", m)
	var ue *UnknownPriceError
	if !errors.As(err, &ue) || !errors.Is(err, ErrUnknownPrice) {
		t.Fatalf("StandbyNode on the shipped catalog = %v; want an unknown price", err)
	}
	if !strings.Contains(ue.Error(), "saved memory state") || !strings.HasPrefix(ue.Path, "standby.") || !strings.Contains(ue.Hint(), "standby.") {
		t.Errorf("unknown standby price: %q at %q (hint %q); want it to say what and where", ue.Error(), ue.Path, ue.Hint())
	}
	// A team's figures laid over it price a node: 16 GiB of state and a
	// boot disk.
	var o Catalog
	if err := json.Unmarshal([]byte(`{"regions": {}, "standby": {"memory_state": {"usd": 0.0001, "source": "team sheet", "date": "2026-11-01"},
		"boot_disk": {"usd": 0.0055, "source": "team sheet", "date": "2026-10-01"}}}`), &o); err != nil {
		t.Fatal(err)
	}
	c := GCP().Merge(&o)
	p, err := c.StandbyNode("us-central1", m)
	if err != nil {
		t.Fatal(err)
	}
	if want := 16*0.0001 + 0.0055; math.Abs(p.USD-want) > 1e-12 {
		t.Errorf("standby n2-standard-4 = %v an hour; want %v", p.USD, want)
	}
	if !strings.Contains(p.Source, "team sheet") || p.Date != "2026-10-01" {
		t.Errorf("source %q, date %q; want the team's, dated by the older figure", p.Source, p.Date)
	}
	// A standby node costs less than the same node running: the reason to
	// have a standby buffer.
	run, err := c.Machine("us-central1", m, OnDemand)
	if err != nil {
		t.Fatal(err)
	}
	if !(p.USD < run.Hourly()) {
		t.Errorf("standby %v ≥ running %v an hour", p.USD, run.Hourly())
	}
	// The shipped catalog is not changed by the merge, and a bad figure is
	// found by Check.
	if _, err := GCP().StandbyNode("us-central1", m); err == nil {
		t.Error("Merge changed the shipped catalog")
	}
	bad := GCP().Merge(&Catalog{Standby: StandbyRate{BootDisk: Price{USD: -1, Source: "x"}}})
	found := false
	for _, pr := range bad.Check() {
		found = found || pr.Path == "standby.boot_disk.usd"
	}
	if !found {
		t.Errorf("Check = %v; want a problem at standby.boot_disk.usd", bad.Check())
	}
}

func TestBufferBillingNamesItsSource(t *testing.T) {
	for _, s := range []string{SourceBufferBilling, noteStandby} {
		if !strings.Contains(s, "kubernetes-engine/docs/concepts/capacity-buffer") {
			t.Errorf("%q does not name GKE's capacity-buffer page", s)
		}
	}
	if DateBufferBilling == "" {
		t.Error("the billing rules have no date")
	}
}
