package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/api"
)

const keysUsage = `create --scope read|write|admin --name NAME [--grant read|write:DATASET]... [--json]
       kume keys list [--json]
       kume keys grant ID read|write:DATASET...
       kume keys ungrant ID DATASET...
       kume keys revoke ID

A read or write key reads the public datasets and the datasets it is granted
(read, or write, which includes read); writing a dataset (imports, visibility,
deletion) takes a write grant on it and the write scope. An admin key reads
and writes every dataset and takes no grants. DATASET is a name or an id.`

// keyCreated is what "kume keys create --json" prints.
type keyCreated struct {
	ID     int64        `json:"id"`
	Name   string       `json:"name"`
	Scope  kume.Scope   `json:"scope"`
	Grants []kume.Grant `json:"grants,omitempty"`
	Secret string       `json:"secret"`
}

func runKeys(ctx context.Context, env *Env, args []string) error {
	var (
		sc          storeConfig
		scope, name string
		grants      stringList
		asJSON      bool
	)
	fs := newFlagSet(env, "keys", keysUsage)
	addStoreFlags(fs, env, &sc)
	fs.StringVar(&scope, "scope", "", "scope of a new key: read|write|admin")
	fs.StringVar(&name, "name", "", "name of a new key (who or what uses it)")
	fs.Var(&grants, "grant", "a right of a new key on a dataset, read:DATASET or write:DATASET (repeatable)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return errUsage
	}
	if pos[0] != "create" && len(grants) > 0 {
		return kume.Errorf(kume.EINVALID, "--grant is for kume keys create; use kume keys grant ID read|write:DATASET")
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
		return createKey(ctx, env, st, name, s, grants, asJSON)
	case pos[0] == "list" && len(pos) == 1:
		st, err := sc.open(ctx, true)
		if err != nil {
			return err
		}
		defer st.Close()
		return listKeys(ctx, env, st, asJSON)
	case (pos[0] == "grant" || pos[0] == "ungrant") && len(pos) >= 3, pos[0] == "revoke" && len(pos) == 2:
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil || id <= 0 {
			return kume.Errorf(kume.EINVALID, "key id %q: want a positive number (see kume keys list)", pos[1])
		}
		st, err := sc.open(ctx, true)
		if err != nil {
			return err
		}
		defer st.Close()
		switch pos[0] {
		case "grant":
			return grantKey(ctx, env, st, id, pos[2:])
		case "ungrant":
			return ungrantKey(ctx, env, st, id, pos[2:])
		}
		if err := st.RevokeKey(ctx, id); err != nil {
			return keyNotFound(err, id)
		}
		fmt.Fprintf(env.Stdout, "key %d revoked\n", id)
		return nil
	}
	fs.Usage()
	return errUsage
}

// keyNotFound names the key of an ENOTFOUND error of a key's write.
func keyNotFound(err error, id int64) error {
	if kume.ErrorCode(err) == kume.ENOTFOUND && strings.Contains(kume.ErrorMessage(err), "key") {
		return kume.Errorf(kume.ENOTFOUND, "no key with id %d", id)
	}
	return err
}

// parseGrant reads "read:DATASET" or "write:DATASET" (a name or an id) among
// the datasets of st.
func parseGrant(ctx context.Context, st kume.Store, s string) (kume.Grant, *kume.Dataset, error) {
	right, ds, ok := strings.Cut(s, ":")
	if !ok || !kume.Right(right).Valid() || ds == "" {
		return kume.Grant{}, nil, kume.Errorf(kume.EINVALID, "grant %q: want read:DATASET or write:DATASET", s)
	}
	d, err := findDataset(ctx, st, ds)
	if err != nil {
		return kume.Grant{}, nil, err
	}
	return kume.Grant{DatasetID: d.ID, Right: kume.Right(right)}, d, nil
}

// createKey stores a new key with its grants and prints its secret, the only
// time it is shown.
func createKey(ctx context.Context, env *Env, st kume.Store, name string, scope kume.Scope, grants []string, asJSON bool) error {
	k := &kume.APIKey{Name: name, Scope: scope}
	for _, g := range grants {
		gr, _, err := parseGrant(ctx, st, g)
		if err != nil {
			return err
		}
		k.Grants = append(k.Grants, gr)
	}
	if err := kume.CheckKeyGrants(k); err != nil {
		return err
	}
	secret, hash, err := api.NewKey()
	if err != nil {
		return err
	}
	k.Hash = hash
	if err := st.CreateKey(ctx, k); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(keyCreated{ID: k.ID, Name: k.Name, Scope: k.Scope, Grants: k.Grants, Secret: secret})
	}
	fmt.Fprintf(env.Stdout, "created key %d %q with scope %s%s. Its secret, shown only now:\n%s\n",
		k.ID, k.Name, k.Scope, grantsSuffix(ctx, st, k), secret)
	fmt.Fprintln(env.Stderr, "send it as \"Authorization: Bearer <secret>\"; only its hash is stored, so keep it safe")
	return nil
}

// grantsSuffix describes a new key's reach for its creation message.
func grantsSuffix(ctx context.Context, st kume.Store, k *kume.APIKey) string {
	switch {
	case k.Scope == kume.ScopeAdmin:
		return ", reading and writing every dataset"
	case len(k.Grants) == 0:
		return ", reading the public datasets only (grant it datasets with kume keys grant)"
	}
	return ", granted " + describeGrants(ctx, st, k.Grants)
}

// grantKey gives key id the rights "read|write:DATASET".
func grantKey(ctx context.Context, env *Env, st kume.Store, id int64, args []string) error {
	for _, a := range args {
		g, d, err := parseGrant(ctx, st, a)
		if err != nil {
			return err
		}
		if err := st.GrantKey(ctx, id, g); err != nil {
			return keyNotFound(err, id)
		}
		fmt.Fprintf(env.Stdout, "key %d may %s dataset %q\n", id, g.Right, d.Name)
	}
	return nil
}

// ungrantKey takes key id's rights on the datasets away.
func ungrantKey(ctx context.Context, env *Env, st kume.Store, id int64, args []string) error {
	for _, a := range args {
		d, err := findDataset(ctx, st, a)
		if err != nil {
			return err
		}
		if err := st.RevokeGrant(ctx, id, d.ID); err != nil {
			if kume.ErrorCode(err) == kume.ENOTFOUND {
				return kume.Errorf(kume.ENOTFOUND, "key %d has no grant on dataset %q (or there is no key %d)", id, d.Name, id)
			}
			return err
		}
		fmt.Fprintf(env.Stdout, "key %d no longer has a grant on dataset %q\n", id, d.Name)
	}
	return nil
}

// describeGrants lists grants as "read:name, write:name".
func describeGrants(ctx context.Context, st kume.Store, grants []kume.Grant) string {
	names := map[int64]string{}
	if ds, err := st.Datasets(ctx); err == nil {
		for _, d := range ds {
			names[d.ID] = d.Name
		}
	}
	out := make([]string, len(grants))
	for i, g := range grants {
		n := names[g.DatasetID]
		if n == "" {
			n = strconv.FormatInt(g.DatasetID, 10)
		}
		out[i] = string(g.Right) + ":" + n
	}
	return strings.Join(out, ", ")
}

// listKeys prints every key without its secret or hash, with its grants.
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
	fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tCREATED\tREVOKED\tGRANTS")
	for _, k := range keys {
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.UTC().Format("2006-01-02 15:04")
		}
		grants := "-"
		switch {
		case k.Scope == kume.ScopeAdmin:
			grants = "(every dataset)"
		case len(k.Grants) > 0:
			grants = describeGrants(ctx, st, k.Grants)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Scope, k.CreatedAt.UTC().Format("2006-01-02 15:04"), revoked, grants)
	}
	return tw.Flush()
}
