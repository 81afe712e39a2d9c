package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/kume-geo/kume/ingest"
)

// settingFlags are the import options shared with uploads
// (ingest.OptionSpecs), registered as flags of kume import. Values are
// collected as given and read by ingest.Settings.Apply, the parser an upload
// uses too.
type settingFlags struct {
	s     ingest.Settings
	files map[string]string // option -> the file holding its value
}

// registerSettings adds a flag for every shared import option.
func registerSettings(fs *flag.FlagSet) *settingFlags {
	f := &settingFlags{s: ingest.Settings{}, files: map[string]string{}}
	for _, spec := range ingest.OptionSpecs() {
		help := spec.Help
		switch {
		case spec.File:
			help = "`FILE` holding " + help
		case !spec.Switch():
			help += " (`" + spec.Arg + "`)"
		}
		fs.Var(settingValue{f: f, spec: spec}, spec.Name, help)
	}
	return f
}

// settings returns the options given, with the files of File options read.
func (f *settingFlags) settings() (ingest.Settings, error) {
	out := ingest.Settings{}
	for k, v := range f.s {
		out[k] = v
	}
	for name, path := range f.files {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", name, err)
		}
		out[name] = []string{string(b)}
	}
	return out, nil
}

// settingValue is the flag.Value of one option.
type settingValue struct {
	f    *settingFlags
	spec ingest.OptionSpec
}

// String returns the value given last, or the option's default.
func (v settingValue) String() string {
	if v.f == nil {
		return ""
	}
	if path, ok := v.f.files[v.spec.Name]; ok {
		return path
	}
	if vals := v.f.s[v.spec.Name]; len(vals) > 0 {
		return strings.Join(vals, ",")
	}
	return v.spec.Default
}

// Set records a value; a repeatable option collects them all.
func (v settingValue) Set(s string) error {
	switch {
	case v.spec.File:
		v.f.files[v.spec.Name] = s
	case v.spec.Repeat:
		v.f.s[v.spec.Name] = append(v.f.s[v.spec.Name], s)
	default:
		v.f.s[v.spec.Name] = []string{s}
	}
	return nil
}

// IsBoolFlag makes a switch take no argument.
func (v settingValue) IsBoolFlag() bool { return v.spec.Switch() }
