//go:build !unix

package main

import "os"

// maxRSS is 0 where the system does not report a child's peak memory
// through getrusage (Windows): the memory scenarios then show 0 MB.
func maxRSS(*os.ProcessState) int64 { return 0 }
