// Command distpack packs release archives for scripts/dist.sh, the same
// way on every machine (no zip or GNU tar needed, and the same bytes from
// the same inputs: fixed times, owners and order):
//
//	distpack tar.gz ARCHIVE FILE...   # a gzipped tar, FILEs at its top
//	distpack zip ARCHIVE FILE...      # a zip, FILEs at its top
//	distpack sums OUT FILE...         # SHA-256 sums, as sha256sum writes them
//
// Each FILE goes in under its base name; a name ending in .exe or with no
// dot is marked executable.
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// modTime is the time every archived file carries, so that the archives
// depend on the files' contents only.
var modTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: distpack tar.gz|zip|sums OUT FILE...")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3:]); err != nil {
		fmt.Fprintln(os.Stderr, "distpack:", err)
		os.Exit(1)
	}
}

func run(kind, out string, files []string) error {
	var write func(io.Writer, []string) error
	switch kind {
	case "tar.gz":
		write = writeTarGz
	case "zip":
		write = writeZip
	case "sums":
		write = writeSums
	default:
		return fmt.Errorf("unknown kind %q: use tar.gz, zip or sums", kind)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := write(f, files); err != nil {
		f.Close()
		os.Remove(out)
		return err
	}
	return f.Close()
}

// mode is the permission a file gets in an archive.
func mode(name string) int64 {
	base := filepath.Base(name)
	if strings.HasSuffix(base, ".exe") || !strings.Contains(base, ".") {
		return 0o755
	}
	return 0o644
}

func writeTarGz(w io.Writer, files []string) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		hdr := &tar.Header{
			Name: filepath.Base(name), Mode: mode(name), Size: int64(len(data)),
			ModTime: modTime, Typeflag: tar.TypeReg, Format: tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, files []string) error {
	zw := zip.NewWriter(w)
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: filepath.Base(name), Method: zip.Deflate, Modified: modTime}
		hdr.SetMode(os.FileMode(mode(name)))
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeSums writes "<sha256>  <base name>" lines, the form sha256sum -c
// (and shasum -a 256 -c) reads.
func writeSums(w io.Writer, files []string) error {
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), filepath.Base(name)); err != nil {
			return err
		}
	}
	return nil
}
