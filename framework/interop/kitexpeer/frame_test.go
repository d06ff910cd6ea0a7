package kitexpeer_test

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
)

// Every stored fixture decodes whole, and no proper prefix of it counts as a message.
func TestDecodeFrameFixtures(t *testing.T) {
	paths, err := filepath.Glob("../testdata/kitex_wire/*.hex")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b, err := hex.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
			if err != nil {
				t.Fatal(err)
			}
			f, err := kitexpeer.DecodeFrame(b)
			if err != nil {
				t.Fatalf("DecodeFrame: %v", err)
			}
			if want := strings.SplitN(filepath.Base(p), "_", 2)[0]; !strings.HasPrefix(f.Variant.String(), want) {
				t.Errorf("variant %s, file says %s", f.Variant, want)
			}
			for i := range len(b) {
				if n, ok := kitexpeer.MessageLen(b[:i]); ok {
					t.Fatalf("MessageLen(first %d bytes) = %d, true", i, n)
				}
			}
			if _, err := kitexpeer.DecodeFrame(b[:len(b)-1]); !errors.Is(err, kitexpeer.ErrShort) {
				t.Errorf("DecodeFrame(truncated) = %v, want ErrShort", err)
			}
			if _, err := kitexpeer.DecodeFrame(append(b[:len(b):len(b)], 0)); err == nil {
				t.Error("DecodeFrame accepted a trailing byte")
			}
		})
	}
}
