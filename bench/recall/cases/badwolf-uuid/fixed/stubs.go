package triple

import "github.com/pborman/uuid"

// Minimal stubs (not from the original project): the real fields are *node.Node,
// *predicate.Predicate and *Object, each with a UUID() uuid.UUID method.
type part struct{ id uuid.UUID }

func (p *part) UUID() uuid.UUID { return p.id }

type Triple struct {
	s *part
	p *part
	o *part
}
