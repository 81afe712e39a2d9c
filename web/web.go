// Package web holds kume's browser application: static files embedded in the
// binary and served at "/".
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// FS returns the web application's files, rooted at the folder that holds
// index.html.
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// The folder is embedded at build time; a failure here is a build defect.
		panic("web: embedded static folder missing: " + err.Error())
	}
	return sub
}
