package emulator

import (
	"fmt"
	"hash"
	"sort"
	"strconv"
)

// canonical writes f to h with its children in a canonical order: names
// that are all integers (array indexes) numerically, others sorted.
func (f *form) canonical(h hash.Hash) {
	if f.isStr {
		fmt.Fprintf(h, "s%d:%s", len(f.str), f.str)
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
	fmt.Fprintf(h, "{%d", len(names))
	for _, n := range names {
		fmt.Fprintf(h, "k%d:%s", len(n), n)
		f.children[n].canonical(h)
	}
	h.Write([]byte{'}'})
}
