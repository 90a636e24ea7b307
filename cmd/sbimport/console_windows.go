//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

const utf8CodePage = 65001

// setupConsole readies the Windows console: its output code page becomes
// UTF-8, so å, ä and ö reach whatever reads the console's bytes intact,
// and stderr's virtual terminal processing is turned on, so the progress
// bar redraws its line with escape codes. Where the console refuses
// escape codes (before Windows 10), progress comes as plain lines.
// restore puts the code page and the mode back as they were, for the
// shell the user returns to. Ctrl-C needs nothing here: Go delivers it
// as os.Interrupt, and closing the window as SIGTERM.
func setupConsole() (restore func(), bar barMode) {
	var undo []func()
	if cp, err := windows.GetConsoleOutputCP(); err == nil && cp != utf8CodePage {
		if windows.SetConsoleOutputCP(utf8CodePage) == nil {
			undo = append(undo, func() { windows.SetConsoleOutputCP(cp) })
		}
	}
	bar = barLines
	h := windows.Handle(os.Stderr.Fd())
	var mode uint32
	if windows.GetConsoleMode(h, &mode) == nil {
		switch {
		case mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0:
			bar = barANSI
		case windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil:
			bar = barANSI
			undo = append(undo, func() { windows.SetConsoleMode(h, mode) })
		}
	}
	return func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}, bar
}
