package ledger

import (
	"fmt"
	"os"
	"path/filepath"
)

// EnvVar names the environment variable that overrides DefaultPath.
const EnvVar = "SBIMPORT_LEDGER"

// DefaultPath is os.UserConfigDir()/sbimport/ledger.db.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("ledger: no user config folder (%w); name the ledger's path in %s", err, EnvVar)
	}
	return filepath.Join(dir, "sbimport", "ledger.db"), nil
}

// Resolve picks the ledger's path: flag (--ledger) when given, else the
// environment variable EnvVar read through getenv (os.Getenv when nil),
// else DefaultPath.
func Resolve(flag string, getenv func(string) string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if p := getenv(EnvVar); p != "" {
		return p, nil
	}
	return DefaultPath()
}
