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
	bufCPU, bufMem     float64 // placeholder room wanted
	delay, unneeded    float64
	arriving           []arrival
	lastAdd            float64
	unneededSince      float64
	addedNodes         int // Standard: nodes added over the run
	capped             bool
	gen                int // counts changes to capacity and requests for it
}

// arrival is capacity requested and not yet ready.
type arrival struct {
	at       float64
	nodes    int
	cpu, mem float64
}

func newPool(c *compiled, needCPU, needMem float64) pool {
	n := c.sys.Nodes
	p := pool{mode: n.Mode, allocCPU: c.allocCPU, allocMem: c.allocMem, minNodes: n.MinNodes, maxNodes: n.MaxNodes,
		bufCPU: n.BufferCPU, bufMem: n.BufferMemory, delay: c.provisioning, unneeded: c.unneeded,
		arriving: make([]arrival, 0, 16), lastAdd: math.Inf(-1), unneededSince: -1}
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
		added = true
		p.gen++
		if p.mode == Standard {
			p.nodes += a.nodes
			p.capCPU, p.capMem = float64(p.nodes)*p.allocCPU, float64(p.nodes)*p.allocMem
		} else {
			p.capCPU += a.cpu
			p.capMem += a.mem
		}
	}
	p.arriving = kept
	return added
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
	for _, a := range p.arriving {
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
	if len(p.arriving) > 0 {
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

// billedNodes is the node count billed now (provisioning nodes included).
func (p *pool) billedNodes() int {
	n := p.nodes
	for _, a := range p.arriving {
		n += a.nodes
	}
	return n
}

// placeholders is the buffer room placeholder pods hold now.
func (p *pool) placeholders() (cpu, mem float64) {
	return min(p.bufCPU, max(p.capCPU-p.usedCPU, 0)), min(p.bufMem, max(p.capMem-p.usedMem, 0))
}
