package discovery

import (
	"context"
	"log"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// --- minimal stubs (not from the original project) ---
type vlog struct{}

func (vlog) V(int) vlog                             { return vlog{} }
func (vlog) Printf(format string, a ...interface{}) { log.Printf(format, a...) }

type Discovery struct {
	log              vlog
	wg               sync.WaitGroup
	ctx              context.Context
	deadMembers      map[string]int64
	deadMemberEvents chan *ClusterEvent
}

func (d *Discovery) dialDeadMember(member string) {}

// --- verbatim from olric internal/discovery/discovery.go ---
type ClusterEvent struct {
	Event    memberlist.NodeEventType
	NodeName string
	NodeAddr net.IP
	NodePort uint16
	NodeMeta []byte // Metadata from the delegate for this node.
}

func (c *ClusterEvent) MemberAddr() string {
	port := strconv.Itoa(int(c.NodePort))
	return net.JoinHostPort(c.NodeAddr.String(), port)
}

func (d *Discovery) deadMemberTracker() {
	d.wg.Done()

	timer := time.NewTimer(time.Second)
	defer timer.Stop()

	for {
		timer.Reset(time.Second)

		select {
		case <-d.ctx.Done():
			return
		case e := <-d.deadMemberEvents:
			member := e.MemberAddr()
			if e.Event == memberlist.NodeJoin || e.Event == memberlist.NodeUpdate {
				delete(d.deadMembers, member)
			} else if e.Event == memberlist.NodeLeave {
				d.deadMembers[member] = time.Now().UnixNano()
			} else {
				d.log.V(2).Printf("[ERROR] Unknown memberlist event received for: %s: %v",
					e.NodeName, e.Event)
			}
		case <-timer.C:
			// TODO: make this parametric
			// Try to reconnect a random dead member every second.
			// The Go runtime selects a random item in the map
			for member, timestamp := range d.deadMembers {
				d.dialDeadMember(member)
				// TODO: Make this parametric
				if time.Now().Add(24*time.Hour).UnixNano() >= timestamp {
					delete(d.deadMembers, member)
				}
				break
			}
			// Just try one item
		}
	}
}
