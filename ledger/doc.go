// Package ledger is sbimport's per-user memory of what was sent: one SQLite
// database (pure Go, modernc.org/sqlite) in WAL mode, file mode 0600, that
// outlives output sheets and journals. It records every run and every row
// sent, and it answers one question before each request goes out: may this
// key be sent in this scope, or was it (or may it have been) sent already?
//
// # Where it lives
//
// [DefaultPath] is os.UserConfigDir()/sbimport/ledger.db. [Resolve] applies
// the overrides in order: the --ledger flag, then $SBIMPORT_LEDGER.
//
// # Opening
//
// [Open] creates the folder (0700) and the file (0600), sets WAL,
// busy_timeout, foreign keys and secure_delete, and migrates the schema by
// PRAGMA user_version in one BEGIN IMMEDIATE transaction, so every problem
// shows before anything is sent: [ErrNewerVersion], [ErrNotLedger],
// [*CorruptError], [ErrLocked], [ErrReadOnly], [ErrDiskFull]. A ledger on a
// network filesystem opens, but [Ledger.Filesystem] reports it so the CLI
// can warn.
//
// # Personal data
//
// The ledger never holds a key (an e-mail, a phone, a customer number) in
// clear. [Ledger.KeyHash] is HMAC-SHA256 under a random 32-byte salt created
// with the ledger and kept in it, of the normalised key (Unicode NFC,
// trimmed, lower case), so [Ledger.KeyHistory] can still find a key the user
// types. The integration uuid is never stored either: [Ledger.Fingerprint]
// is an HMAC of it under the same salt with another domain prefix. What is
// stored in clear: run times, input and mapping file names and their
// SHA-256, endpoint, campaign, base URL, SalesByte ids and links, file names
// and row numbers, HTTP statuses. [Ledger.Forget] deletes runs older than a
// date with all their entries; secure_delete overwrites what it deletes.
//
// # Scopes and rules
//
// A [Scope] is the integration and endpoint, or the integration and a
// campaign name when there is one. [Ledger.Reserve] grants a claim for a key
// unless, in the same scope, an entry of that key is created, unknown, or
// sending (an intent whose answer is not recorded). Failed and skipped
// entries do not block. [ReserveOptions.AllowDuplicates] lifts the scope
// rule; [ReserveOptions.RetryUnknown] lets unknown entries, and the sending
// entries of runs that are no longer alive, not block; a sending entry of a
// live run always blocks. [ReserveOptions.NotWithin] holds back a key that
// got anything (created, unknown or sending) from the same integration, in
// any scope, within that duration.
//
// A run is alive while the process that began (or resumed) it holds an OS
// lock on its lock file (flock, beside the ledger); a crashed run's lock is
// gone, so its sending entries mean "may have been sent": unknown until
// [Ledger.Settle] (reconcile) says otherwise. They are never granted again
// without RetryUnknown.
//
// # How the importer uses it
//
//	path, err := ledger.Resolve(flagLedger, nil)             // --ledger, $SBIMPORT_LEDGER, default
//	l, err := ledger.Open(ctx, path, ledger.Options{})        // before the plan; typed errors → exit 2
//	if fs := l.Filesystem(); fs.Network { warn }
//	scope := ledger.Scope{Integration: l.Fingerprint(uuid), Endpoint: "quote", Campaign: c}
//	claims[i] = ledger.Claim{Key: l.KeyHash(rowKey), File: input, Row: line}
//	ds, err := l.Check(ctx, 0, scope, claims, opts)           // the plan; nothing written
//	for _, h := range ledger.Summarize(ds) { plan line }      // "12 … already … (first … from …)"
//	run, err := l.BeginRun(ctx, ledger.RunInfo{...})          // or l.ResumeRun(ctx, id) when the journal names one
//	for each group commit of rows about to be sent:
//	    ds, err := l.Reserve(ctx, run, scope, claims, opts)   // one BEGIN IMMEDIATE transaction, fsynced
//	    held rows → skipped, with ds[i].Earlier (run, id, links, file, row, when)
//	    journal intents for the granted rows; send them
//	    l.Record(ctx, outcomes)                               // ds[i].Entry; one transaction per batch
//	l.FinishRun(ctx, run, counts, time.Time{})                // left-over sending entries become unknown
//	reconcile: l.Settle(ctx, settlements)
//	history:   l.Runs(ctx, n), l.KeyHistory(ctx, key), l.Forget(ctx, before)
//	outputs:   l.RecordOutput(ctx, path, sha256) after writing an output sheet;
//	           l.LastOutput(ctx, path) before writing over one (a hand edit
//	           since shows as another hash)
//
// Reserve is durable when it returns (synchronous=FULL by default): it is
// the write-ahead intent. A row whose Reserve did not return granted must
// not be sent. Record commits without waiting for the disk; the next
// Reserve (or FinishRun, or Close) fsyncs it with its own commit, as the
// journal does with outcomes. If the process dies after Reserve but
// before the journal's intent, the resumed run (ResumeRun with the id the
// journal recorded) is granted its own sending entry of the same file and
// row again: the request never went out. A row the journal says was in
// flight is not reserved again; FinishRun turns its entry unknown.
//
// Claims are decided in order and a second claim of a key in one Reserve
// batch is held back by the first (HeldInFlight). Check writes nothing,
// so it does not see duplicates within its own batch: the planner's own
// duplicate check covers them.
package ledger
