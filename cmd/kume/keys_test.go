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
		if strings.Contains(line, "uploader") && strings.HasSuffix(strings.TrimSpace(line), "-") {
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
