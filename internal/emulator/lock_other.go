//go:build !unix

package emulator

import "os"

// flockExclusive does nothing where flock(2) does not exist: there, two
// emulators on one database are not refused (doc.go says so).
func flockExclusive(*os.File) error { return nil }
