package form

import (
	"net/url"
	"runtime"
	"strings"
	"testing"
)

// A parameter name nested past maxKeyDepth is refused before any tree is
// built: 1 MiB of type[][][]… once cost 200 MB and a second of CPU.
func TestDeepParameterNamesAreRefusedCheaply(t *testing.T) {
	key := "type" + strings.Repeat("[]", 500_000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Parse(url.Values{key: {"x"}})
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("a key nested 500,000 deep was accepted")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("refusing it allocated %d KiB", alloc>>10)
	}
	if len(err.Message) > 1000 || len(err.Param) > 1000 {
		t.Errorf("the refusal quotes the whole key: %d bytes", len(err.Message)+len(err.Param))
	}
	if _, err := Parse(url.Values{"options[document][allowed_types][0]": {"passport"}}); err != nil {
		t.Errorf("the deepest real parameter is refused: %v", err)
	}
}

// "01" and "1" are not two indexes of one array: one value would be lost.
func TestArrayIndexesAreCanonical(t *testing.T) {
	for _, idx := range []string{"01", "+1", "-1"} {
		p, err := Parse(url.Values{"expand[" + idx + "]": {"verified_outputs"}})
		if err == nil {
			err = Validate(p, ExpandOnly)
		}
		if err == nil {
			t.Errorf("expand[%s] accepted", idx)
		}
	}
}
