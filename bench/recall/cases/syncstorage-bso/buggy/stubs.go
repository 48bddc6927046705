package syncstorage

import "fmt"

// Copied from the project (syncstorage/util.go at the same commit).
func ModifiedToString(modified int) string {
	return fmt.Sprintf("%.2f", float64(modified)/1000)
}
