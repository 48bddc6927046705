// Package uuid is a minimal stub of github.com/pborman/uuid (not from the original project).
package uuid

import "crypto/sha1"

type UUID []byte

var NIL UUID = make([]byte, 16)

func NewSHA1(space UUID, data []byte) UUID {
	h := sha1.New()
	h.Write(space)
	h.Write(data)
	s := h.Sum(nil)
	return UUID(s[:16])
}
