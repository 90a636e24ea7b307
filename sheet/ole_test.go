package sheet

import (
	"encoding/binary"
	"strings"
	"testing"
	u16 "unicode/utf16"
)

// ole2 builds a minimal OLE2 compound file (version 3, 512-byte sectors)
// holding one empty stream named stream: an old .xls has "Workbook", a
// password-protected .xlsx "EncryptionInfo".
func ole2(stream string) []byte {
	const sector = 512
	le := binary.LittleEndian
	b := make([]byte, sector*3) // header, FAT (sector 0), directory (sector 1)
	h := b[:sector]
	copy(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(h[24:], 0x3E)        // minor version
	le.PutUint16(h[26:], 3)           // major version
	le.PutUint16(h[28:], 0xFFFE)      // byte order
	le.PutUint16(h[30:], 9)           // sector shift: 512
	le.PutUint16(h[32:], 6)           // mini sector shift: 64
	le.PutUint32(h[44:], 1)           // FAT sectors
	le.PutUint32(h[48:], 1)           // first directory sector
	le.PutUint32(h[56:], 0x1000)      // mini stream cutoff
	le.PutUint32(h[60:], 0xFFFFFFFE)  // no mini FAT
	le.PutUint32(h[68:], 0xFFFFFFFE)  // no DIFAT sectors
	le.PutUint32(h[76:], 0)           // DIFAT[0]: the FAT is sector 0
	for i := 80; i < sector; i += 4 { // DIFAT[1..]: free
		le.PutUint32(h[i:], 0xFFFFFFFF)
	}
	fat := b[sector : 2*sector]
	for i := 0; i < sector; i += 4 {
		le.PutUint32(fat[i:], 0xFFFFFFFF)
	}
	le.PutUint32(fat[0:], 0xFFFFFFFD) // sector 0 is the FAT
	le.PutUint32(fat[4:], 0xFFFFFFFE) // sector 1, the directory, ends its chain
	dir := b[2*sector:]
	entry := func(i int, name string, typ byte, child uint32) {
		e := dir[i*128 : (i+1)*128]
		u := u16.Encode([]rune(name))
		for j, c := range u {
			le.PutUint16(e[j*2:], c)
		}
		le.PutUint16(e[64:], uint16(len(u)*2+2))
		e[66], e[67] = typ, 1
		le.PutUint32(e[68:], 0xFFFFFFFF)
		le.PutUint32(e[72:], 0xFFFFFFFF)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], 0xFFFFFFFE)
	}
	entry(0, "Root Entry", 5, 1)
	entry(1, stream, 2, 0xFFFFFFFF)
	for i := 2; i < 4; i++ {
		for j := 68; j < 80; j += 4 {
			le.PutUint32(dir[i*128+j:], 0xFFFFFFFF)
		}
	}
	return b
}

// An OLE2 file's own streams decide whether it is an old .xls or a
// password-protected workbook, whatever its name says.
func TestOLE2Kinds(t *testing.T) {
	for _, c := range []struct{ name, stream, want string }{
		{"renamed.xlsx", "Workbook", "is an old Excel 97-2003 workbook"},
		{"old.xls", "Book", "is an old Excel 97-2003 workbook"},
		{"locked.xlsx", "EncryptionInfo", "is password-protected"},
		{"locked.xls", "EncryptedPackage", "is password-protected"},
	} {
		_, err := Open(writeFile(t, c.name, ole2(c.stream)), Options{})
		if err == nil || !strings.Contains(err.Error(), c.name+" "+c.want) {
			t.Errorf("%s with a %s stream: %v; want %q", c.name, c.stream, err, c.want)
		}
	}
}
