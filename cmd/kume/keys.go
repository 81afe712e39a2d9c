package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/api"
)

const keysUsage = `create --scope read|write|admin --name NAME [--json]
       kume keys list [--json]
       kume keys revoke ID`

// keyCreated is what "kume keys create --json" prints.
type keyCreated struct {
	ID     int64      `json:"id"`
	Name   string     `json:"name"`
	Scope  kume.Scope `json:"scope"`
	Secret string     `json:"secret"`
}

func runKeys(ctx context.Context, env *Env, args []string) error {
	var (
		sc          storeConfig
		scope, name string
		asJSON      bool
	)
	fs := newFlagSet(env, "keys", keysUsage)
	addStoreFlags(fs, env, &sc)
	fs.StringVar(&scope, "scope", "", "scope of a new key: read|write|admin")
	fs.StringVar(&name, "name", "", "name of a new key (who or what uses it)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return errUsage
	}
	switch {
	case pos[0] == "create" && len(pos) == 1:
		s := kume.Scope(scope)
		if !s.Allows(kume.ScopeRead) {
			return kume.Errorf(kume.EINVALID, "--scope must be read, write or admin")
		}
		if name == "" || utf8.RuneCountInString(name) > 100 {
			return kume.Errorf(kume.EINVALID, "--name is required (at most 100 characters)")
		}
		st, err := sc.open(ctx, true)
		if err != nil {
			return err
		}
		defer st.Close()
		return createKey(ctx, env, st, name, s, asJSON)
	case pos[0] == "list" && len(pos) == 1:
		st, err := sc.open(ctx, true)
		if err != nil {
			return err
		}
		defer st.Close()
		return listKeys(ctx, env, st, asJSON)
	case pos[0] == "revoke" && len(pos) == 2:
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil || id <= 0 {
			return kume.Errorf(kume.EINVALID, "key id %q: want a positive number (see kume keys list)", pos[1])
		}
		st, err := sc.open(ctx, true)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.RevokeKey(ctx, id); err != nil {
			if kume.ErrorCode(err) == kume.ENOTFOUND {
				return kume.Errorf(kume.ENOTFOUND, "no key with id %d", id)
			}
			return err
		}
		fmt.Fprintf(env.Stdout, "key %d revoked\n", id)
		return nil
	}
	fs.Usage()
	return errUsage
}

// createKey stores a new key and prints its secret, the only time it is shown.
func createKey(ctx context.Context, env *Env, st kume.Store, name string, scope kume.Scope, asJSON bool) error {
	secret, hash, err := api.NewKey()
	if err != nil {
		return err
	}
	k := &kume.APIKey{Name: name, Scope: scope, Hash: hash}
	if err := st.CreateKey(ctx, k); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(keyCreated{ID: k.ID, Name: k.Name, Scope: k.Scope, Secret: secret})
	}
	fmt.Fprintf(env.Stdout, "created key %d %q with scope %s. Its secret, shown only now:\n%s\n", k.ID, k.Name, k.Scope, secret)
	fmt.Fprintln(env.Stderr, "send it as \"Authorization: Bearer <secret>\"; only its hash is stored, so keep it safe")
	return nil
}

// listKeys prints every key without its secret or hash.
func listKeys(ctx context.Context, env *Env, st kume.Store, asJSON bool) error {
	keys, err := st.Keys(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		if keys == nil {
			keys = []kume.APIKey{}
		}
		return json.NewEncoder(env.Stdout).Encode(keys) // APIKey never marshals its hash
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.UTC().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Scope, k.CreatedAt.UTC().Format("2006-01-02 15:04"), revoked)
	}
	return tw.Flush()
}
