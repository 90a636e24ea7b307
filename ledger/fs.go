package ledger

// Filesystem says what kind of filesystem holds the ledger. SQLite's locks
// are not reliable on network filesystems: two machines may both write.
type Filesystem struct {
	// Known is false when the kind could not be told (this OS, or statfs
	// failed); Network is then false too.
	Known bool
	// Network: NFS, SMB/CIFS, AFS, 9p (WSL's Windows drives), Ceph and such.
	Network bool
	// Type names it when known: "local", or the network kind ("nfs",
	// "cifs", "smb2", "smbfs", "9p", "remote"...).
	Type string
}

// Filesystem is the filesystem the ledger's folder is on, as found by Open.
func (l *Ledger) Filesystem() Filesystem { return l.fs }
