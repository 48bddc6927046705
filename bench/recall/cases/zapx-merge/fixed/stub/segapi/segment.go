// Package segment is a stub (not from the original project).
package segment

type StatsReporter interface {
	ReportBytesWritten(bytesWritten uint64)
}
