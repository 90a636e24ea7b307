//go:build !unix && !windows

package importer

import "os"

// Systems without file locks (wasm, plan9) run unlocked.
func tryLock(*os.File) error { return nil }

func unlock(*os.File) {}
