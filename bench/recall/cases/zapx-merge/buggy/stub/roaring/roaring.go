// Package roaring is a stub (not from the original project).
package roaring

type Bitmap struct{}
