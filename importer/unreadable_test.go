package importer

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/sandbox"
)

// A sheet that cannot be read to its end (here a CSV row of 9 MB, beyond
// what the reader takes) is an input error for run and validate alike:
// nothing is sent and no output is written.
func TestUnreadableSheetIsAnInputError(t *testing.T) {
	for _, validate := range []bool{false, true} {
		e := newEnv(t, sandbox.Options{}, nil)
		e.customers(3)
		content, err := os.ReadFile(e.input)
		if err != nil {
			t.Fatal(err)
		}
		e.write("kunder.csv", string(content)+"Bo,"+strings.Repeat("z", 9<<20)+",b@example.se,0701234567\n")
		cfg := e.config()
		_, err = runMode(context.Background(), cfg, validate)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "longer than 8 MB") {
			t.Errorf("validate=%v: error %v; want an *InputError about the long row", validate, err)
		}
		if n := e.srv.Stats().Requests; n != 0 {
			t.Errorf("validate=%v: %d requests sent; want none", validate, n)
		}
		if _, err := os.Stat(DefaultOutput(e.input)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("validate=%v: output written (%v); want none", validate, err)
		}
	}
}
