package triple

import (
	"sync"

	"github.com/pborman/uuid"
)

// bufPool holds a pool of byte arrays used by triple's UUID() method, which needs
// a buffer big enough to contain the UUIDs for (subject, predicate, object), so 3x16 bytes.
var bufPool = sync.Pool{New: func() interface{} { return make([]byte, 48) }}

// UUID returns a global unique identifier for the given triple. It is
// implemented as the SHA1 UUID of the concatenated UUIDs of the subject,
// predicate, and object.
func (t *Triple) UUID() uuid.UUID {
	b := bufPool.Get().([]byte)
	// Even though 'b' is dirty when fetched from the pool we do not
	// clear it because the contents are always completely overwritten.
	defer bufPool.Put(b)

	// A UUID is always 16 bytes.
	copy(b[:16], t.s.UUID())
	copy(b[16:32], t.p.UUID())
	copy(b[32:], t.o.UUID())
	return uuid.NewSHA1(uuid.NIL, b)
}
