package log

// Stubs (not from the original project; Level is in level.go there).
type Level uint32

// Writer defines an entry writer interface.
type Writer interface {
	WriteEntry(*Entry) (int, error)
}
