package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume/layer"
)

// openAPIDoc is the OpenAPI 3 description of the JSON API, the exports, the
// OGC API and the operational endpoints. A test keeps it in step with the router.
//
//go:embed openapi.json
var openAPIDoc []byte

// apiDoc is the part of the OpenAPI document the docs page shows.
type apiDoc struct {
	Info struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description"`
	} `json:"info"`
	Paths      map[string]map[string]apiOperation `json:"paths"`
	Components struct {
		Parameters map[string]apiParam `json:"parameters"`
	} `json:"components"`
}

type apiOperation struct {
	Summary     string         `json:"summary"`
	Description string         `json:"description"`
	Scope       string         `json:"x-kume-scope"`
	Parameters  []apiParam     `json:"parameters"`
	Responses   map[string]any `json:"responses"`
}

type apiParam struct {
	Ref         string `json:"$ref"`
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
}

// docsEntry is one operation on the docs page.
type docsEntry struct {
	Method, Path string
	Op           apiOperation
	Params       []apiParam
	Codes        string
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} {{.Version}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{font-size:1rem;margin:1.6rem 0 .3rem;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:4.2rem;font-weight:700}
table{border-collapse:collapse;width:100%;font-size:.9rem}td{border-top:1px solid #ddd;padding:.2rem .4rem;vertical-align:top}
code{font-family:ui-monospace,monospace}.s{color:#666;font-size:.85rem}
</style></head><body>
<h1>{{.Title}} <small>{{.Version}}</small></h1>
<p>{{.Description}}</p>
<p>The machine-readable document: <a href="openapi.json">openapi.json</a>.</p>
{{range .Entries}}<h2><span class="m">{{.Method}}</span>{{.Path}}</h2>
<p>{{.Op.Summary}}{{if .Op.Description}} — {{.Op.Description}}{{end}}</p>
<p class="s">Scope: {{if .Op.Scope}}{{.Op.Scope}}{{else}}none{{end}} · Responses: {{.Codes}}</p>
{{if .Params}}<table>{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}{{if .Required}}, required{{end}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{end}}</body></html>
`))

// renderDocs renders the OpenAPI document as a self-contained HTML page.
func renderDocs() ([]byte, error) {
	var d apiDoc
	if err := json.Unmarshal(openAPIDoc, &d); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	var entries []docsEntry
	for path, ops := range d.Paths {
		for method, op := range ops {
			e := docsEntry{Method: strings.ToUpper(method), Path: path, Op: op}
			for _, p := range op.Parameters {
				if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
					p = d.Components.Parameters[name]
				}
				e.Params = append(e.Params, p)
			}
			codes := make([]string, 0, len(op.Responses))
			for c := range op.Responses {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			e.Codes = strings.Join(codes, ", ")
			entries = append(entries, e)
		}
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].Path != entries[j].Path {
			return entries[i].Path < entries[j].Path
		}
		return entries[i].Method < entries[j].Method
	})
	var b strings.Builder
	err := docsTemplate.Execute(&b, map[string]any{"Title": d.Info.Title, "Version": d.Info.Version,
		"Description": d.Info.Description, "Entries": entries})
	if err != nil {
		return nil, fmt.Errorf("openapi: docs: %w", err)
	}
	return []byte(b.String()), nil
}

func (s *Server) mountOpenAPI(r chi.Router) {
	r.Get("/openapi.json", s.handleOpenAPI)
	r.Get("/docs", s.handleDocs)
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r, "f"); err != nil {
		s.writeError(w, r, err)
		return
	}
	doc, err := openAPIDocument()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentOpenAPI)
	_, _ = w.Write(doc)
}

// openAPIDocument returns the served OpenAPI document: openapi.json with the
// schema of each layer's feature properties (layerSchemas) added to its
// components, so that the document and the layers cannot disagree.
func openAPIDocument() ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	comps, _ := doc["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	if schemas == nil {
		return nil, fmt.Errorf("openapi: no components.schemas")
	}
	for name, sc := range layerSchemas() {
		schemas[name] = sc
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return b, nil
}

// layerSchemas returns, by name ("HexagonsProperties", …, "EmergingProperties"),
// the JSON schema of the properties of each layer's features in exports and
// OGC items, read from
// the layer's definition (package layer). Properties that a suppressed
// aggregate withholds from anonymous callers, and numbers, are nullable.
func layerSchemas() map[string]any {
	out := map[string]any{}
	for _, name := range append(layer.Names(), layer.Emerging) {
		props := map[string]any{}
		for _, p := range layer.Properties(name, layer.Feature) {
			sc := map[string]any{"type": string(p.Type), "description": p.Description}
			if !p.Identity || p.Type == layer.Number {
				sc["nullable"] = true
			}
			props[p.Name] = sc
		}
		desc := layer.Describe(name)
		if name == layer.Hexagons || name == layer.Clusters || name == layer.Regions {
			desc += ". For anonymous callers a suppressed aggregate shows its identity and suppressed only; every other property is null."
		}
		if name == layer.Emerging {
			desc += ". For anonymous callers the counts (firms, employees) of a cell whose final step is suppressed are null; the pattern is public."
		}
		out[strings.ToUpper(name[:1])+name[1:]+"Properties"] = map[string]any{
			"type": "object", "description": desc, "properties": props}
	}
	return out
}

func (s *Server) handleDocs(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := renderDocs()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_, _ = w.Write(page)
}
