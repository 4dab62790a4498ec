package form

import (
	"fmt"
	"io"
	"sort"
	"strconv"
)

// WriteCanonical writes f to w with its children in a canonical order:
// names that are all integers (array indexes) numerically, others sorted.
// The same parameters encoded in another order (metadata[a]=1&type=x and
// type=x&metadata[a]=1, or expand[]=a and expand[0]=a) write the same
// bytes, which is what an Idempotency-Key's fingerprint compares. Each
// name and leaf is written with its length, so the output is unambiguous.
func (f *Params) WriteCanonical(w io.Writer) {
	if f.isStr {
		fmt.Fprintf(w, "s%d:%s", len(f.str), f.str)
		return
	}
	names := append([]string(nil), f.order...)
	sort.Slice(names, func(i, j int) bool {
		a, aerr := strconv.Atoi(names[i])
		b, berr := strconv.Atoi(names[j])
		if aerr == nil && berr == nil {
			return a < b
		}
		return names[i] < names[j]
	})
	fmt.Fprintf(w, "{%d", len(names))
	for _, n := range names {
		fmt.Fprintf(w, "k%d:%s", len(n), n)
		f.children[n].WriteCanonical(w)
	}
	_, _ = w.Write([]byte{'}'})
}
