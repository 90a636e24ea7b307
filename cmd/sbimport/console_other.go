//go:build !windows

package main

// setupConsole has nothing to set outside Windows: terminals take UTF-8
// and redraw a line with a carriage return.
func setupConsole() (restore func(), bar barMode) {
	return func() {}, barCR
}
