package quorum

import (
	"fmt"
	"strings"
	"time"
)

// Faults: crashes, recoveries and partitions, from the reader's actions or
// scheduled by the crash and partition parameters (at faultStart, undone at
// faultEnd), so a headless run can show them too.

const (
	faultStart = 500 * time.Millisecond
	faultEnd   = 2000 * time.Millisecond
)

// schedule sets up the scheduled faults and the background processes.
func (m *Model) schedule() {
	if m.crashK > 0 {
		m.sim.At(faultStart, func() {
			for i := range m.crashK {
				if m.net.Up(i) {
					m.crashNode(i)
				}
			}
		})
		m.sim.At(faultEnd, func() {
			for i := range m.crashK {
				if !m.net.Up(i) {
					m.recoverNode(i)
				}
			}
		})
	}
	if m.partition {
		m.sim.At(faultStart, func() {
			if !m.split {
				m.cut()
			}
		})
		m.sim.At(faultEnd, func() {
			if m.split {
				m.heal()
			}
		})
	}
	if m.entropy && m.nodes > 1 {
		m.scheduleEntropy()
	}
}

// faultsOver reports whether the scheduled faults have all happened.
func (m *Model) faultsOver() bool {
	return (m.crashK == 0 && !m.partition) || m.Now() >= faultEnd
}

func (m *Model) crashNode(i int) {
	m.net.Crash(i)
	m.log.Add(m.Now(), "crash", "node %s crashes", NodeName(i))
}

func (m *Model) recoverNode(i int) {
	m.net.Recover(i)
	m.log.Add(m.Now(), "recover", "node %s recovers with the versions it had", NodeName(i))
	m.startHandoff()
}

// sides lists the endpoints on each side of the ring's cut.
func (m *Model) sides() [2][]int {
	var s [2][]int
	for e := range m.nodes + m.clients {
		s[m.Side(e)] = append(s[m.Side(e)], e)
	}
	return s
}

// cut partitions the ring into its two sides.
func (m *Model) cut() {
	s := m.sides()
	m.net.Partition(s[0], s[1])
	m.split = true
	m.log.Add(m.Now(), "partition", "the ring splits: %s | %s", m.sideNames(s[0]), m.sideNames(s[1]))
}

// heal restores every cut link.
func (m *Model) heal() {
	m.net.Heal()
	m.split = false
	m.log.Add(m.Now(), "heal", "the partition heals: every node can reach every other")
	m.startHandoff()
}

// sideNames names the endpoints of one side: "A, B, C and client 1".
func (m *Model) sideNames(es []int) string {
	var nodes, clients []string
	for _, e := range es {
		if e < m.nodes {
			nodes = append(nodes, NodeName(e))
		} else {
			clients = append(clients, fmt.Sprint(e-m.nodes+1))
		}
	}
	out := strings.Join(nodes, ", ")
	if len(clients) > 0 {
		if out != "" {
			out += " with "
		}
		if m.clients == 1 {
			out += "the client"
		} else {
			out += "client " + strings.Join(clients, ", ")
		}
	}
	if out == "" {
		return "nothing"
	}
	return out
}
