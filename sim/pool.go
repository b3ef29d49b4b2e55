package sim

import "math"

// pool is the capacity pods are scheduled on: a Standard node pool grown
// by the cluster autoscaler, or Autopilot's provisioned room. Room is
// counted in aggregate (CPU and memory), ignoring fragmentation across
// nodes.
type pool struct {
	mode               NodeMode
	allocCPU, allocMem float64 // Standard: room of one node
	nodes              int     // Standard: ready nodes
	minNodes, maxNodes int
	capCPU, capMem     float64 // room of ready capacity
	usedCPU, usedMem   float64 // requests of bound pods
	bufCPU, bufMem     float64 // room wanted free: placeholders and an active CapacityBuffer
	// standby CapacityBuffer: suspended nodes, how many the buffer wants,
	// and how long one takes to resume
	standby, standbyWant int
	resume               float64
	use                  bufferUse
	delay, unneeded      float64
	arriving             []arrival
	lastAdd              float64
	unneededSince        float64
	addedNodes           int // Standard: nodes added over the run
	capped               bool
	gen                  int // counts changes to capacity and requests for it
}

// arrival is capacity requested and not yet ready.
type arrival struct {
	at       float64
	nodes    int
	cpu, mem float64
	// standby: new nodes that join the standby buffer suspended;
	// resumed: suspended nodes resuming
	standby, resumed bool
}

// bufferUse records what a run did with the warm room (seconds; -1 for
// never).
type bufferUse struct {
	firstUsed, firstResumed, restored float64
	resumed                           int
	inUse                             bool
}

func newPool(c *compiled, needCPU, needMem float64) pool {
	n := c.sys.Nodes
	p := pool{mode: n.Mode, allocCPU: c.allocCPU, allocMem: c.allocMem, minNodes: n.MinNodes, maxNodes: n.MaxNodes,
		bufCPU: n.BufferCPU, bufMem: n.BufferMemory, delay: c.provisioning, unneeded: c.unneeded,
		arriving: make([]arrival, 0, 16), lastAdd: math.Inf(-1), unneededSince: -1,
		use: bufferUse{firstUsed: -1, firstResumed: -1, restored: -1}}
	if b := n.CapacityBuffer; !b.IsZero() && p.mode == Standard {
		cpu, mem := b.Room()
		if b.Strategy == StandbyBuffer {
			// GKE provisions suspended nodes that hold the buffer's units
			// (counted in aggregate room, like the pool).
			p.standbyWant = p.nodesFor(cpu, mem)
			p.standby = p.standbyWant
			p.resume = b.resume()
		} else {
			p.bufCPU += cpu
			p.bufMem += mem
		}
	}
	wantCPU, wantMem := needCPU+p.bufCPU, needMem+p.bufMem
	if p.mode == Standard {
		p.nodes = min(max(p.nodesFor(wantCPU, wantMem), p.minNodes), p.maxNodes)
		p.capCPU, p.capMem = float64(p.nodes)*p.allocCPU, float64(p.nodes)*p.allocMem
	} else {
		p.capCPU, p.capMem = wantCPU, wantMem
	}
	return p
}

// nodesFor is how many nodes hold the given room.
func (p *pool) nodesFor(cpu, mem float64) int {
	n := math.Ceil(cpu/p.allocCPU - 1e-9)
	if p.allocMem > 0 {
		n = max(n, math.Ceil(mem/p.allocMem-1e-9))
	}
	return int(max(n, 0))
}

// fits is how many pods of the given size fit in the free room, up to n.
func (p *pool) fits(n int, cpu, mem float64) int {
	k := n
	if cpu > 0 {
		k = min(k, int(math.Floor((p.capCPU-p.usedCPU)/cpu+1e-9)))
	}
	if mem > 0 {
		k = min(k, int(math.Floor((p.capMem-p.usedMem)/mem+1e-9)))
	}
	return max(k, 0)
}

// advance makes capacity that has arrived by t usable. It reports whether
// room was added.
func (p *pool) advance(t float64) bool {
	added := false
	kept := p.arriving[:0]
	for _, a := range p.arriving {
		if a.at > t {
			kept = append(kept, a)
			continue
		}
		p.gen++
		if a.standby {
			p.standby += a.nodes
			continue
		}
		added = true
		if p.mode == Standard {
			p.nodes += a.nodes
			p.capCPU, p.capMem = float64(p.nodes)*p.allocCPU, float64(p.nodes)*p.allocMem
		} else {
			p.capCPU += a.cpu
			p.capMem += a.mem
		}
	}
	p.arriving = kept
	p.trackUse(t)
	return added
}

// trackUse records when pods first took the warm room (placeholders',
// an active buffer's or a standby buffer's) and when it was whole again.
func (p *pool) trackUse(t float64) {
	if p.bufCPU == 0 && p.bufMem == 0 && p.standbyWant == 0 {
		return
	}
	short := p.capCPU-p.usedCPU < p.bufCPU-1e-9 || p.capMem-p.usedMem < p.bufMem-1 || p.standby < p.standbyWant
	switch {
	case short && !p.use.inUse:
		p.use.inUse = true
		if p.use.firstUsed < 0 {
			p.use.firstUsed = t
		}
	case !short && p.use.inUse:
		p.use.inUse = false
		if p.use.restored < 0 {
			p.use.restored = t
		}
	}
}

// scan is one cluster-autoscaler (or Autopilot provisioning) pass at t:
// request capacity for pending pods and the placeholder buffer, and remove
// capacity that has been unneeded long enough. pendCPU and pendMem are the
// requests of pods waiting for room.
func (p *pool) scan(t, pendCPU, pendMem float64) {
	wantCPU := p.usedCPU + pendCPU + p.bufCPU
	wantMem := p.usedMem + pendMem + p.bufMem
	var inCPU, inMem float64
	inNodes := 0
	standbyIn, running := 0, 0 // standby nodes and other arrivals on their way
	for _, a := range p.arriving {
		if a.standby {
			standbyIn += a.nodes
			continue
		}
		running++
		inCPU += a.cpu
		inMem += a.mem
		inNodes += a.nodes
	}
	if p.mode == Standard {
		inCPU, inMem = float64(inNodes)*p.allocCPU, float64(inNodes)*p.allocMem
	}
	defCPU := wantCPU - p.capCPU - inCPU
	defMem := wantMem - p.capMem - inMem
	if defCPU > 1e-9 || defMem > 1e-9 {
		p.unneededSince = -1
		if p.mode == Standard {
			add := p.nodesFor(max(defCPU, 0), max(defMem, 0))
			room := p.maxNodes - p.nodes - inNodes
			if k := min(add, p.standby, max(room, 0)); k > 0 {
				// Suspended nodes of a standby buffer resume before new
				// nodes are made (GKE's order: active buffer, running
				// standby nodes, suspended ones, new nodes), and GKE
				// provisions new suspended nodes to restore the buffer.
				p.gen++
				p.standby -= k
				p.arriving = append(p.arriving, arrival{at: t + p.resume, nodes: k, resumed: true},
					arrival{at: t + p.delay, nodes: k, standby: true})
				p.use.resumed += k
				p.lastAdd = t
				if p.use.firstResumed < 0 {
					p.use.firstResumed = t
				}
				add -= k
				room -= k
			}
			if add > room {
				add = room
				if pendCPU > 0 || pendMem > 0 {
					p.capped = true
				}
			}
			if add > 0 {
				p.gen++
				p.arriving = append(p.arriving, arrival{at: t + p.delay, nodes: add})
				p.addedNodes += add
				p.lastAdd = t
			}
		} else {
			p.gen++
			p.arriving = append(p.arriving, arrival{at: t + p.delay, cpu: max(defCPU, 0), mem: max(defMem, 0)})
			p.lastAdd = t
		}
		return
	}
	if p.standby+standbyIn < p.standbyWant {
		// Restore a standby buffer that nothing took from (after a
		// resume, its replacement is already on the way).
		k := p.standbyWant - p.standby - standbyIn
		p.gen++
		p.arriving = append(p.arriving, arrival{at: t + p.delay, nodes: k, standby: true})
	}
	if running > 0 {
		return
	}
	// Scale down what stays unneeded.
	excessCPU, excessMem := p.capCPU-wantCPU, p.capMem-wantMem
	removable := 0
	if p.mode == Standard {
		removable = int(math.Floor(excessCPU/p.allocCPU + 1e-9))
		if p.allocMem > 0 {
			removable = min(removable, int(math.Floor(excessMem/p.allocMem+1e-9)))
		}
		removable = min(removable, p.nodes-p.minNodes)
	} else if excessCPU > 1e-9 || excessMem > 1e-9 {
		removable = 1
	}
	if removable <= 0 {
		p.unneededSince = -1
		return
	}
	if p.unneededSince < 0 {
		p.unneededSince = t
		return
	}
	if t-p.unneededSince < p.unneeded || t-p.lastAdd < p.unneeded {
		return
	}
	p.gen++
	if p.mode == Standard {
		p.nodes -= removable
		p.capCPU, p.capMem = float64(p.nodes)*p.allocCPU, float64(p.nodes)*p.allocMem
	} else {
		p.capCPU, p.capMem = max(wantCPU, p.usedCPU), max(wantMem, p.usedMem)
	}
	p.unneededSince = -1
}

// billedNodes is the node count billed as running now (provisioning and
// resuming nodes included; standby nodes, suspended or on their way to
// suspension, are not).
func (p *pool) billedNodes() int {
	n := p.nodes
	for _, a := range p.arriving {
		if !a.standby {
			n += a.nodes
		}
	}
	return n
}

// standbyNodes is the node count billed as suspended: the standby
// buffer's nodes, those on their way included.
func (p *pool) standbyNodes() int {
	n := p.standby
	for _, a := range p.arriving {
		if a.standby {
			n += a.nodes
		}
	}
	return n
}

// placeholders is the buffer room placeholder pods hold now.
func (p *pool) placeholders() (cpu, mem float64) {
	return min(p.bufCPU, max(p.capCPU-p.usedCPU, 0)), min(p.bufMem, max(p.capMem-p.usedMem, 0))
}
