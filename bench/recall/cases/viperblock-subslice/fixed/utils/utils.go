// Package utils is a stub (not from the project).
package utils

func SafeIntToUint16(v int) uint16 { return uint16(v) }
