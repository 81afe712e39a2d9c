// Package valuechain defines value chains (textiles & apparel, automotive, ...)
// as NACE codes by role (core, supplier, service, distribution), reads and
// checks such definitions, and matches firms' NACE codes to the chains they
// belong to.
//
// The shipped definitions (chains.yaml, see Default) follow the cluster
// categories of the U.S. Cluster Mapping Project (Delgado, Porter and Stern,
// "Defining clusters of related industries", Journal of Economic Geography
// 16(1), 2016) where one fits; the NACE codes of each role were chosen from
// the NACE Rev. 2 descriptions for Türkiye's industry, and each chain's source
// field says which category it follows.
package valuechain

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/kume-geo/kume"
)

//go:embed chains.yaml
var defaultChains string

// MaxInputSize is the largest definitions document Parse reads.
const MaxInputSize = 1 << 20

// Default returns the shipped value-chain definitions.
func Default() ([]kume.ValueChain, error) {
	return Parse(strings.NewReader(defaultChains))
}

// document is the top level of a definitions file.
type document struct {
	Chains []kume.ValueChain `json:"chains" yaml:"chains"`
}

// Parse reads value-chain definitions in YAML or JSON (a document starting
// with '{' or '[' is read as JSON). The top level is either a list of chains or
// an object with one field "chains" holding that list. Parsing is strict:
// unknown fields and roles are rejected, and errors name the chain (by id, or
// by position when it has none). Parse checks structure only; Validate checks
// codes against the NACE taxonomy.
func Parse(r io.Reader) ([]kume.ValueChain, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("valuechain: read: %w", err)
	}
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("valuechain: input larger than %d bytes", MaxInputSize)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("valuechain: input is not valid UTF-8")
	}
	var chains []kume.ValueChain
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		chains, err = parseJSON(trimmed)
	} else {
		chains, err = parseYAML(data)
	}
	if err != nil {
		return nil, err
	}
	for i := range chains {
		if err := checkStructure(&chains[i]); err != nil {
			return nil, fmt.Errorf("valuechain: %s: %w", chainName(chains[i].ID, i), err)
		}
	}
	return chains, nil
}

// chainName names a chain in errors.
func chainName(id string, i int) string {
	if id == "" {
		return "chain #" + strconv.Itoa(i+1)
	}
	return "chain " + strconv.Quote(id)
}

// parseJSON decodes JSON definitions, one chain at a time so that an error
// names the chain it is in.
func parseJSON(data []byte) ([]kume.ValueChain, error) {
	var raws []json.RawMessage
	if data[0] == '{' {
		var doc struct {
			Chains []json.RawMessage `json:"chains"`
		}
		if err := strictJSON(data, &doc); err != nil {
			return nil, fmt.Errorf("valuechain: json: %w", err)
		}
		raws = doc.Chains
	} else if err := strictJSON(data, &raws); err != nil {
		return nil, fmt.Errorf("valuechain: json: %w", err)
	}
	chains := make([]kume.ValueChain, len(raws))
	for i, raw := range raws {
		if err := strictJSON(raw, &chains[i]); err != nil {
			var id struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(raw, &id)
			return nil, fmt.Errorf("valuechain: %s: %w", chainName(id.ID, i), err)
		}
	}
	return chains, nil
}

// strictJSON decodes one JSON value, rejecting unknown fields and trailing data.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the top-level value")
	}
	return nil
}

// parseYAML decodes YAML definitions strictly. Type errors of yaml.v3 carry
// line numbers; each is prefixed with the chain whose entry holds that line.
func parseYAML(data []byte) ([]kume.ValueChain, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("valuechain: yaml: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, nil // an empty document
	}
	top := root.Content[0]
	list := top
	if top.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(top.Content); i += 2 {
			if top.Content[i].Value == "chains" {
				list = top.Content[i+1]
			}
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var chains []kume.ValueChain
	var err error
	if top.Kind == yaml.SequenceNode {
		err = dec.Decode(&chains)
	} else {
		var doc document
		err = dec.Decode(&doc)
		chains = doc.Chains
	}
	if err == nil {
		return chains, nil
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) || list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("valuechain: yaml: %w", err)
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = m
		if where := chainAtLine(list, m); where != "" {
			msgs[i] = where + ": " + m
		}
	}
	return nil, fmt.Errorf("valuechain: yaml: %s", strings.Join(msgs, "; "))
}

// lineRE finds the line number yaml.v3 puts at the start of an error message.
func lineRE() *regexp.Regexp { return regexp.MustCompile(`^line (\d+):`) }

// chainAtLine names the chain of list whose entry holds the line that the
// yaml.v3 error message msg refers to, or returns "".
func chainAtLine(list *yaml.Node, msg string) string {
	m := lineRE().FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	line, _ := strconv.Atoi(m[1])
	at := -1
	for i, n := range list.Content {
		if n.Line <= line {
			at = i
		}
	}
	if at < 0 {
		return ""
	}
	id := ""
	if n := list.Content[at]; n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "id" {
				id = n.Content[i+1].Value
			}
		}
	}
	return chainName(id, at)
}

// checkStructure checks what Parse can check without the taxonomy: an id and
// known roles.
func checkStructure(vc *kume.ValueChain) error {
	if vc.ID == "" {
		return errors.New("no id")
	}
	for role := range vc.Roles {
		if !validRole(role) {
			return fmt.Errorf("unknown role %q (want one of %v)", role, kume.Roles())
		}
	}
	return nil
}

// validRole reports whether r is one of kume.Roles.
func validRole(r kume.Role) bool {
	for _, v := range kume.Roles() {
		if r == v {
			return true
		}
	}
	return false
}
