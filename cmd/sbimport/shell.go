package main

import (
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

// quoteFor joins args into one command line for sh, quoting each
// argument the shell would split or expand (file names with spaces are
// common).
func quoteFor(sh shell, args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
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
