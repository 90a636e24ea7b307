package main

// barMode is how the terminal on stderr redraws the progress bar.
type barMode int

const (
	// barCR redraws with carriage returns and spaces: Unix terminals.
	barCR barMode = iota
	// barANSI redraws with ANSI escape codes: a Windows console with
	// virtual terminal processing (Windows Terminal, Windows 10 and later).
	barANSI
	// barLines cannot redraw in place (an old Windows console that takes
	// no escape codes): progress is printed as plain lines instead.
	barLines
)
