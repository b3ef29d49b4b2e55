package review

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/traffic"
	"github.com/headroom-sre/headroom/units"
)

// spikes searches the largest spike survived as a surprise and with
// notice, and compares them with the file's scenarios.
func (rv *reviewer) spikes(ctx context.Context) error {
	out := rv.out
	out.Surprise = Spike{Event: sim.EventSurprise.String()}
	out.Announced = Spike{Event: sim.EventAnnounced.String()}
	switch {
	case out.BaseRate <= 0:
		out.Surprise.Reason = "the normal rate is unknown (" + out.BaseSource + ")"
	case !rv.judged:
		out.Surprise.Reason = "no objectives to judge a spike by"
	}
	if out.Surprise.Reason != "" {
		out.Announced.Reason = out.Surprise.Reason
		rv.add(Finding{Check: CheckSpike, Severity: Unknowable, Summary: "the largest spike survivable is unknown: " + out.Surprise.Reason,
			Evidence: []Evidence{}, Fix: "give spec.slo (objectives and windowRate, the normal rate)"})
		return nil
	}
	var err error
	if out.Surprise, err = rv.search(ctx, rv.model, sim.EventSurprise); err != nil {
		return err
	}
	announced, what := rv.prescaled()
	m, err := sim.Compile(announced)
	if err != nil {
		return fmt.Errorf("pre-scaled system: %w", err)
	}
	if out.Announced, err = rv.search(ctx, m, sim.EventAnnounced); err != nil {
		return err
	}
	base := rateEvidence("normal rate", out.BaseRate, out.BaseSource)
	probe := fmt.Sprintf("simulated spikes: rise in %s, %s at the peak (the review's probe), searched to within %s",
		units.Duration(ProbeRise), units.Duration(ProbeHold), units.Percent(SearchPrecision-1))
	s, a := out.Surprise, out.Announced
	summary := fmt.Sprintf("without warning the system survives a spike to %s its normal rate; with %s notice (%s), %s",
		spikeText(s), units.Duration(rv.cfg.Notice), what, spikeText(a))
	if len(rv.unmeasured) > 0 {
		summary += "; these rest on capacities that are not measured knees (" + strings.Join(rv.unmeasured, ", ") + ")"
	}
	rv.add(Finding{Check: CheckSpike, Severity: Info,
		Summary: summary,
		Evidence: []Evidence{base,
			{What: "largest surprise survived", Value: s.Multiple, Unit: "×", Text: spikeText(s), Source: probe + failText(s)},
			{What: "largest announced survived", Value: a.Multiple, Unit: "×", Text: spikeText(a), Source: probe + failText(a)}},
		Fix: "raise the floor (minReplicas), speed up the scale-up or keep spare nodes to survive more without warning"})
	if s.Multiple < 1 && !s.AtLeast {
		rv.add(Finding{Check: CheckSpike, Severity: Blocker, Summary: "the system does not survive even its normal rate in the review's probe" + rv.caveat(),
			Evidence: []Evidence{base}, Fix: "give the bottleneck (" + s.Bottleneck + ") more replicas or capacity"})
	}
	// A scenario the team planned as announced, coming as a surprise.
	for _, sc := range out.Scenarios {
		if sc.Event == sim.EventAnnounced.String() && sc.Multiple > s.Multiple && !s.AtLeast {
			rv.add(Finding{Check: CheckSpike, Severity: Warning,
				Summary: fmt.Sprintf("scenario %s (%s, announced) would not be survived as a surprise: without warning only %s is", sc.Name, times(sc.Multiple), times(s.Multiple)),
				Evidence: []Evidence{{What: "scenario peak", Value: sc.Multiple, Unit: "×", Text: times(sc.Multiple), Source: "scenario " + sc.Name + "'s traffic"},
					{What: "largest surprise survived", Value: s.Multiple, Unit: "×", Text: times(s.Multiple), Source: probe}},
				Fix: "if it may come unannounced (a mention on TV, a viral post), write it as event: surprise and plan for it"})
		}
	}
	return nil
}

func spikeText(s Spike) string {
	switch {
	case !s.Known:
		return "unknown"
	case s.AtLeast:
		return "at least " + times(s.Multiple)
	}
	return times(s.Multiple)
}

func failText(s Spike) string {
	if s.FailsAt == 0 {
		return ""
	}
	out := fmt.Sprintf("; %s fails", times(s.FailsAt))
	if s.Bottleneck != "" {
		out += " at " + s.Bottleneck + " (" + s.BottleneckReason + ")"
	}
	return out
}

// prescaled is the system as a team with notice would run it: every HPA's
// floor raised to its maxReplicas from the notice before the spike (a
// plan's pre-scale, within the maxima as configured); fixed replica counts
// as they are. The file's own pre-scaling is replaced: it is timed for its
// scenarios.
func (rv *reviewer) prescaled() (sim.System, string) {
	sys := rv.sys.Clone()
	at := max(ProbeAt-rv.cfg.Notice, 0)
	var raised []string
	for i := range sys.Components {
		c := &sys.Components[i]
		c.Prescale = nil
		if c.HPA != nil && c.HPA.MaxReplicas > rv.floor[i] {
			c.Prescale = []sim.Prescale{{At: at, MinReplicas: c.HPA.MaxReplicas}}
			raised = append(raised, fmt.Sprintf("%s to %d", c.Name, c.HPA.MaxReplicas))
		}
	}
	if len(raised) == 0 {
		return sys, "nothing to pre-scale within the HPAs' maxima"
	}
	return sys, "pre-scaled to maxReplicas: " + strings.Join(raised, ", ")
}

// search finds the largest multiple of the base rate whose probe spike
// the model survives: doubling from ×1, then bisecting (on a log scale)
// to within SearchPrecision. It runs at most about 25 simulations.
func (rv *reviewer) search(ctx context.Context, m *sim.Model, event sim.EventNotice) (Spike, error) {
	sp := Spike{Event: event.String(), Known: true}
	survive := func(k float64) (bool, *sim.Result, error) {
		sp.Runs++
		tr, err := traffic.Spike(traffic.SpikeConfig{Base: rv.out.BaseRate, Peak: k * rv.out.BaseRate, At: ProbeAt, Rise: ProbeRise,
			Hold: ProbeHold, Decay: ProbeDecay, For: ProbeFor})
		if err != nil {
			return false, nil, fmt.Errorf("probe ×%g: %w", k, err)
		}
		res, err := m.Run(ctx, sim.Scenario{Name: fmt.Sprintf("review-%s-x%s", event, units.Number(k)), Traffic: tr, Event: event}, sim.Options{StopAtBreach: true})
		if err != nil {
			return false, nil, fmt.Errorf("probe ×%g: %w", k, err)
		}
		return res.SLOMet, res, nil
	}
	fail := func(k float64, res *sim.Result) {
		sp.FailsAt, sp.Bottleneck, sp.BottleneckReason = k, res.Bottleneck, res.BottleneckReason
	}
	lo, hi := 0.0, 0.0
	ok, res, err := survive(1)
	if err != nil {
		return sp, err
	}
	if !ok {
		fail(1, res)
		return sp, nil
	}
	lo = 1
	for k := 2.0; ; k = math.Min(2*k, rv.cfg.MaxMultiple) {
		ok, res, err := survive(k)
		if err != nil {
			return sp, err
		}
		if !ok {
			hi = k
			fail(k, res)
			break
		}
		lo = k
		if k >= rv.cfg.MaxMultiple {
			sp.AtLeast = true
			break
		}
	}
	for hi > 0 && hi/lo > SearchPrecision {
		k := math.Sqrt(lo * hi)
		ok, res, err := survive(k)
		if err != nil {
			return sp, err
		}
		if ok {
			lo = k
		} else {
			hi = k
			fail(k, res)
		}
	}
	sp.Multiple = round3(lo)
	sp.FailsAt = -round3(-sp.FailsAt)
	sp.PeakRate = round3(lo * rv.out.BaseRate)
	tr, err := traffic.Spike(traffic.SpikeConfig{Base: rv.out.BaseRate, Peak: sp.PeakRate, At: ProbeAt, Rise: ProbeRise, Hold: ProbeHold, Decay: ProbeDecay, For: ProbeFor})
	if err == nil {
		sp.Shape = tr.String()
	}
	return sp, nil
}

// round3 rounds to three significant digits, down (a survived multiple is
// never rounded up past what was simulated).
// round3(−x) is −x rounded up, for a multiple that failed.
func round3(x float64) float64 {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return x
	}
	p := math.Pow10(2 - int(math.Floor(math.Log10(math.Abs(x)))))
	return math.Floor(x*p) / p
}
