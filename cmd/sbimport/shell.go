package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"
)

// shell is the command language of the commands sbimport prints (the
// "Next:" lines, hints, examples), so that one can be pasted as it is.
type shell int

const (
	posixShell shell = iota // sh, bash, zsh: Linux and macOS
	powerShell              // Windows PowerShell and PowerShell 7
)

// hostShell is the shell a user of this system types into: PowerShell on
// Windows (the default in Windows Terminal), a POSIX shell elsewhere.
func hostShell() shell {
	if runtime.GOOS == "windows" {
		return powerShell
	}
	return posixShell
}

// selfPath is where the printed commands find sbimport when it is not on
// the PATH: "" (it is, or it cannot be told), or the program's path, as
// ".\sbimport.exe" or "./sbimport" when it is in the current folder. A
// user who unpacked the download and runs it from that folder must type
// that: PowerShell does not run a program from the current folder by its
// bare name, nor does a POSIX shell. main sets it; tests leave it "".
var selfPath string

// locateSelf tells selfPath from the program's own path, the current
// folder and a PATH lookup of "sbimport".
func locateSelf(exe, cwd string, lookPath func(string) (string, error)) string {
	if exe == "" {
		return ""
	}
	if p, err := lookPath("sbimport"); err == nil && sameFile(p, exe) {
		return ""
	}
	// The same folder, however it is written (Windows ignores case, a
	// link may lead to it).
	if cwd != "" && sameFile(filepath.Dir(exe), cwd) {
		return "." + string(filepath.Separator) + filepath.Base(exe)
	}
	return exe
}

func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// progFor is the start of a command line that runs sbimport in sh: its
// bare name when it is on the PATH, else its path (in PowerShell a quoted
// path needs the call operator & to run).
func progFor(sh shell, path string) string {
	if path == "" {
		return "sbimport"
	}
	if sh == powerShell {
		if q := quotePowerShell(path); q != path {
			return "& " + q
		}
		return path
	}
	return quotePOSIX(path)
}

// quoteFor joins args into one command line for sh, quoting each
// argument the shell would split or expand (file names with spaces are
// common). A first argument "sbimport" is the program, named as the user
// can run it (see selfPath).
func quoteFor(sh shell, args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if i == 0 && a == "sbimport" {
			out[i] = progFor(sh, selfPath)
			continue
		}
		if sh == powerShell {
			out[i] = quotePowerShell(a)
		} else {
			out[i] = quotePOSIX(a)
		}
	}
	return strings.Join(out, " ")
}

// quotePOSIX single-quotes an argument unless it is made of characters
// no POSIX shell treats specially; a ' inside closes the quotes, is
// escaped with a backslash and opens them again.
func quotePOSIX(a string) string {
	if a != "" && strings.IndexFunc(a, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '=' || r == '@' || r == ',' || r == '+' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127)
	}) < 0 {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

// quotePowerShell single-quotes an argument unless it is made of letters,
// digits and - _ . / \ : = +. Inside single quotes PowerShell expands
// nothing ($, backtick, @ are plain), and a quote inside is doubled. It
// takes the typographic single quotes ‘ ’ ‚ ‛ for ' too, so those are
// doubled as well; a comma, which PowerShell reads as a list, is quoted.
func quotePowerShell(a string) string {
	if a != "" && strings.IndexFunc(a, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == '\\' || r == ':' || r == '=' || r == '+' ||
			unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
	}) < 0 {
		return a
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range a {
		if isPowerShellQuote(r) {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

func isPowerShellQuote(r rune) bool {
	switch r {
	case '\'', '\u2018', '\u2019', '\u201A', '\u201B':
		return true
	}
	return false
}

// setEnvFor is the line that sets an environment variable for the
// commands that follow it in sh.
func setEnvFor(sh shell, name, value string) string {
	if sh == powerShell {
		return "$env:" + name + ` = "` + value + `"`
	}
	return "export " + name + "=" + value
}
