// Package memberlist: minimal stub of github.com/hashicorp/memberlist.
package memberlist

type NodeEventType int

const (
	NodeJoin NodeEventType = iota
	NodeLeave
	NodeUpdate
)
