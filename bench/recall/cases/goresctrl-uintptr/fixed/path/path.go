// Package path is a stub (not from the project).
package path

import "path/filepath"

func Path(elems ...string) string { return filepath.Join(append([]string{"/"}, elems...)...) }
