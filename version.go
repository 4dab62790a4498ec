package main

import (
	"runtime/debug"
	"strings"
)

// version is idgraph's version from the build: the module version of an
// installed binary, or the VCS revision of a build from a checkout.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "idgraph (unknown version)"
	}
	v := info.Main.Version
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		v = "devel-" + rev[:min(12, len(rev))] + modified
	}
	if v == "" {
		v = "(devel)"
	}
	return strings.Join([]string{"idgraph", v, info.GoVersion}, " ")
}
