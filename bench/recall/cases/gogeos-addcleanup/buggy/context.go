package geos

// Stubs (not from the project) except ref/unref, which are verbatim from context.go.

// #include <stdlib.h>
// #include "go-geos.h"
import "C"

import (
	"sync"
	"sync/atomic"
)

// A Context is a context (fields trimmed).
type Context struct {
	mutex    sync.Mutex
	cHandle  C.GEOSContextHandle_t
	refCount *atomic.Int64
	err      error
}

type Geom struct{ cGeom *C.struct_GEOSGeom_t }

func (c *Context) newGeom(cGeom *C.struct_GEOSGeom_t, parent *Geom) *Geom {
	if cGeom == nil {
		return nil
	}
	return &Geom{cGeom: cGeom}
}

// ref increases c's reference count by 1.
func (c *Context) ref() {
	c.refCount.Add(1)
}

// unref decreases c's reference count by 1 and finishes c if its reference
// count becomes zero.
func (c *Context) unref() {
	if c.refCount.Add(-1) == 0 {
		C.finishGEOS_r(c.cHandle)
	}
}
