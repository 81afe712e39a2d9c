package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/api"
)

func TestKeys(t *testing.T) {
	dir := t.TempDir()
	var created keyCreated
	r := mustRun(t, "keys", "create", "--scope", "write", "--name", "uploader", "--json", "--store", dir)
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil {
		t.Fatalf("keys create --json printed %q: %v", r.stdout, err)
	}
	if created.ID == 0 || created.Scope != kume.ScopeWrite || !strings.HasPrefix(created.Secret, "kume_") {
		t.Fatalf("created %+v", created)
	}
	r = mustRun(t, "keys", "create", "--scope", "admin", "--name", "ops", "--store", dir)
	if !strings.Contains(r.stdout, "kume_") || !strings.Contains(r.stdout, "shown only now") {
		t.Errorf("keys create printed %q", r.stdout)
	}

	list := mustRun(t, "keys", "list", "--store", dir).stdout
	if !strings.Contains(list, "uploader") || !strings.Contains(list, "ops") || strings.Contains(list, "kume_") {
		t.Errorf("keys list:\n%s", list)
	}
	r = mustRun(t, "keys", "list", "--json", "--store", dir)
	var keys []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &keys); err != nil || len(keys) != 2 {
		t.Fatalf("keys list --json: %q (%v)", r.stdout, err)
	}
	for _, k := range keys {
		if _, ok := k["hash"]; ok || strings.Contains(r.stdout, created.Secret) {
			t.Errorf("keys list --json shows a secret or hash: %v", k)
		}
	}

	// The stored hash is the secret's: the API would accept it.
	st := openMemory(t, dir)
	k, err := st.KeyByHash(context.Background(), api.HashKey(created.Secret))
	if err != nil || k.ID != created.ID || k.Name != "uploader" {
		t.Fatalf("key by hash: %+v, %v", k, err)
	}
	st.Close()
	// The store files hold no secret.
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(created.Secret)) {
			t.Errorf("%s holds the secret", filepath.Base(f))
		}
	}

	mustRun(t, "keys", "revoke", itoa(int(created.ID)), "--store", dir)
	st = openMemory(t, dir)
	if _, err := st.KeyByHash(context.Background(), api.HashKey(created.Secret)); kume.ErrorCode(err) != kume.ENOTFOUND {
		t.Errorf("revoked key still found: %v", err)
	}
	st.Close()
	list = mustRun(t, "keys", "list", "--store", dir).stdout
	for _, line := range strings.Split(list, "\n") {
		// ID NAME SCOPE CREATED (date, time) REVOKED (date, time or -) GRANTS
		if f := strings.Fields(line); len(f) > 5 && f[1] == "uploader" && f[5] == "-" {
			t.Errorf("revoked key listed as not revoked: %q", line)
		}
	}

	for _, args := range [][]string{
		{"keys", "revoke", "999"},
		{"keys", "revoke", "abc"},
		{"keys", "create", "--scope", "root", "--name", "x"},
		{"keys", "create", "--scope", "read"},
	} {
		if r := run(t, append(args, "--store", dir)...); r.err == nil {
			t.Errorf("kume %s succeeded", strings.Join(args, " "))
		}
	}
	if r := run(t, "keys", "--store", dir); r.err != errUsage {
		t.Errorf("keys without an action: %v", r.err)
	}
}

// TestKeyGrants gives keys rights on datasets with kume keys create --grant,
// grant and ungrant, and refuses what a key's scope does not take.
func TestKeyGrants(t *testing.T) {
	dir := t.TempDir()
	st := openMemory(t, dir)
	for _, d := range []*kume.Dataset{{Name: "agency-2025"}, {Name: "open", Visibility: kume.Public}} {
		if err := st.CreateDataset(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	var reader, writer keyCreated
	for _, k := range []struct {
		dst  *keyCreated
		args []string
	}{
		{&reader, []string{"--scope", "read", "--name", "agency", "--grant", "read:agency-2025"}},
		{&writer, []string{"--scope", "write", "--name", "uploader", "--grant", "write:agency-2025", "--grant", "read:2"}},
	} {
		r := mustRun(t, append(append([]string{"keys", "create", "--json"}, k.args...), "--store", dir)...)
		if err := json.Unmarshal([]byte(r.stdout), k.dst); err != nil {
			t.Fatal(err)
		}
	}
	if len(reader.Grants) != 1 || reader.Grants[0] != (kume.Grant{DatasetID: 1, Right: kume.RightRead}) ||
		len(writer.Grants) != 2 || writer.Grants[1] != (kume.Grant{DatasetID: 2, Right: kume.RightRead}) {
		t.Fatalf("grants of new keys: %+v, %+v", reader.Grants, writer.Grants)
	}
	r := mustRun(t, "keys", "create", "--scope", "read", "--name", "public only", "--store", dir)
	if !strings.Contains(r.stdout, "reading the public datasets only") {
		t.Errorf("a key without grants: %s", r.stdout)
	}
	list := mustRun(t, "keys", "list", "--store", dir).stdout
	if !strings.Contains(list, "read:agency-2025") || !strings.Contains(list, "write:agency-2025, read:open") {
		t.Errorf("kume keys list:\n%s", list)
	}
	id := itoa(int(reader.ID))
	mustRun(t, "keys", "grant", id, "read:open", "--store", dir)
	mustRun(t, "keys", "ungrant", id, "agency-2025", "--store", dir)
	st = openMemory(t, dir)
	k, err := st.KeyByHash(context.Background(), api.HashKey(reader.Secret))
	st.Close()
	if err != nil || len(k.Grants) != 1 || k.Grants[0] != (kume.Grant{DatasetID: 2, Right: kume.RightRead}) {
		t.Fatalf("grants after grant and ungrant: %+v, %v", k, err)
	}
	for _, c := range []struct {
		args []string
		code string
	}{
		{[]string{"keys", "grant", id, "write:open"}, kume.EINVALID},    // a read key
		{[]string{"keys", "grant", id, "own:open"}, kume.EINVALID},      // no such right
		{[]string{"keys", "grant", id, "read:nowhere"}, kume.ENOTFOUND}, // no such dataset
		{[]string{"keys", "grant", "999", "read:open"}, kume.ENOTFOUND},
		{[]string{"keys", "ungrant", id, "agency-2025"}, kume.ENOTFOUND}, // no grant there
		{[]string{"keys", "create", "--scope", "admin", "--name", "ops", "--grant", "read:open"}, kume.EINVALID},
		{[]string{"keys", "create", "--scope", "read", "--name", "r", "--grant", "write:open"}, kume.EINVALID},
		{[]string{"keys", "list", "--grant", "read:open"}, kume.EINVALID},
	} {
		if r := run(t, append(c.args, "--store", dir)...); kume.ErrorCode(r.err) != c.code {
			t.Errorf("kume %s: %v, want %s", strings.Join(c.args, " "), r.err, c.code)
		}
	}
}
