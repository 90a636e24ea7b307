package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// SchemaVersion is the PRAGMA user_version this package writes. A ledger
// with a higher one is refused (ErrNewerVersion) and left as it is.
const SchemaVersion = 2

// applicationID marks the file as an sbimport ledger (PRAGMA
// application_id): "sbIL".
const applicationID = 0x7362494c

// migrations[i] brings a ledger from user_version i to i+1.
var migrations = []string{
	`
CREATE TABLE meta (
	k TEXT PRIMARY KEY,
	v ANY NOT NULL
) STRICT;
CREATE TABLE runs (
	id             INTEGER PRIMARY KEY,
	started        INTEGER NOT NULL,          -- unix ms, UTC
	ended          INTEGER,                   -- NULL: not finished (running, or crashed)
	input          TEXT NOT NULL,             -- the input file's path
	input_sha256   TEXT NOT NULL,
	mapping        TEXT NOT NULL,             -- the mapping file's path
	mapping_sha256 TEXT NOT NULL,
	endpoint       TEXT NOT NULL,
	campaign       TEXT NOT NULL,             -- '' without a campaign
	base_url       TEXT NOT NULL,
	integration    BLOB NOT NULL,             -- HMAC of the uuid, never the uuid
	n_rows INTEGER NOT NULL DEFAULT 0, n_created INTEGER NOT NULL DEFAULT 0,
	n_failed INTEGER NOT NULL DEFAULT 0, n_invalid INTEGER NOT NULL DEFAULT 0,
	n_unknown INTEGER NOT NULL DEFAULT 0, n_skipped INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX runs_started ON runs(started);
CREATE TABLE entries (
	id          INTEGER PRIMARY KEY,
	run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	integration BLOB NOT NULL,
	scope       TEXT NOT NULL,                -- 'endpoint:quote' or 'campaign:NAME'
	key_hash    BLOB NOT NULL,                -- HMAC of the normalised key, never the key
	status      TEXT NOT NULL CHECK (status IN ('sending','created','failed','unknown','skipped')),
	sb_id       INTEGER NOT NULL DEFAULT 0,
	link_edit TEXT NOT NULL DEFAULT '', link_view TEXT NOT NULL DEFAULT '',
	link_verificate TEXT NOT NULL DEFAULT '', link_approval TEXT NOT NULL DEFAULT '',
	http_status INTEGER NOT NULL DEFAULT 0,
	file        TEXT NOT NULL,
	row         INTEGER NOT NULL,
	reserved    INTEGER NOT NULL,             -- unix ms: the intent
	at          INTEGER                       -- unix ms: the outcome, NULL while sending
) STRICT;
CREATE INDEX entries_key ON entries(key_hash, integration, scope);
CREATE INDEX entries_run ON entries(run_id, status);
`,
	// 2: the output sheets sbimport wrote, so a sheet changed by hand
	// since is never written over.
	`
CREATE TABLE outputs (
	path    TEXT PRIMARY KEY,                 -- the output sheet's absolute path
	sha256  TEXT NOT NULL,                    -- of the file as sbimport wrote it
	written INTEGER NOT NULL                  -- unix ms
) STRICT;
`,
}

// setup sets WAL and migrates in one immediate transaction, so a locked,
// read-only, damaged or newer ledger is refused before anything is sent.
func (l *Ledger) setup(ctx context.Context, opt Options) error {
	var mode string
	if err := l.db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return l.classify("open", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("ledger %s: cannot use WAL mode (got %q)", l.path, mode)
	}
	if opt.Verify {
		if err := l.verify(ctx); err != nil {
			return err
		}
	}
	return l.tx(ctx, "open", func(tx *sql.Tx) error {
		var version, app, objects int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects); err != nil {
			return err
		}
		switch {
		case app != applicationID && (app != 0 || objects > 0):
			return fmt.Errorf("ledger %s: %w (application_id %#x)", l.path, ErrNotLedger, app)
		case version > SchemaVersion:
			return &VersionError{Path: l.path, Found: version, Known: SchemaVersion}
		}
		for v := version; v < SchemaVersion; v++ {
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return err
			}
		}
		if version < SchemaVersion {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id=%d; PRAGMA user_version=%d", applicationID, SchemaVersion)); err != nil {
				return err
			}
		}
		if err := l.loadSalt(ctx, tx); err != nil {
			return err
		}
		// A write now, so a read-only medium shows at Open, not at the
		// first reservation.
		_, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO meta(k, v) VALUES ('opened', ?)", ms(opt.Now()))
		return err
	})
}

func (l *Ledger) loadSalt(ctx context.Context, tx *sql.Tx) error {
	err := tx.QueryRowContext(ctx, "SELECT v FROM meta WHERE k='salt'").Scan(&l.salt)
	if errors.Is(err, sql.ErrNoRows) {
		l.salt = make([]byte, 32)
		rand.Read(l.salt) // never fails (crypto/rand since Go 1.24)
		_, err = tx.ExecContext(ctx, "INSERT INTO meta(k, v) VALUES ('salt', ?)", l.salt)
	}
	if err == nil && len(l.salt) != 32 {
		err = &CorruptError{Path: l.path, Err: errors.New("salt is not 32 bytes")}
	}
	return err
}

// verify runs quick_check; anything but "ok" is a *CorruptError.
func (l *Ledger) verify(ctx context.Context) error {
	var res string
	if err := l.db.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&res); err != nil {
		return l.classify("verify", err)
	}
	if res != "ok" {
		return &CorruptError{Path: l.path, Err: errors.New(res)}
	}
	return nil
}
