package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/memory"
)

// A "kume serve" on the embedded store holds its data directory, so another
// kume command cannot open it for writing. The commands that manage keys and
// datasets then work through the running server: it listens on a Unix socket
// in a directory only its user may enter (controlDir), and carries out the
// few store writes those commands make (CreateKey, RevokeKey, GrantKey,
// RevokeGrant, CreateDataset, UpdateDataset, DeleteDataset; see
// server.control). Reads come from a
// read-only snapshot of the data directory (memory.OpenReadOnly). Only the
// owner of the data directory, who can change its files anyway, may enter
// the socket's directory.

// controlDir is the directory, inside the data directory, of the control
// socket; controlSocket is the socket's name in it.
const (
	controlDir    = ".control"
	controlSocket = "kume.sock"
)

// controlPath returns the path of the control socket of a data directory.
func controlPath(dataDir string) string { return filepath.Join(dataDir, controlDir, controlSocket) }

// controlRequest is the body of a call; controlReply the answer.
type controlRequest struct {
	Key     *kume.APIKey  `json:"key,omitempty"`
	Hash    []byte        `json:"hash,omitempty"` // the key's hash, which APIKey does not marshal
	Dataset *kume.Dataset `json:"dataset,omitempty"`
	ID      int64         `json:"id,omitempty"`
	Grant   *kume.Grant   `json:"grant,omitempty"`
}

type controlReply struct {
	Key     *kume.APIKey  `json:"key,omitempty"`
	Dataset *kume.Dataset `json:"dataset,omitempty"`
	Code    string        `json:"code,omitempty"`
	Message string        `json:"message,omitempty"`
}

// startControl listens on the control socket of the server's data directory
// and serves it until the returned function is called. A server that cannot
// listen (a path too long for a socket, a read-only directory) logs why and
// goes on without it.
func (s *server) startControl() (stop func()) {
	noop := func() {}
	if s.cfg.Store.DB != "" {
		return noop
	}
	dir := filepath.Join(s.cfg.Store.Dir, controlDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		s.log.Warn("control socket", "err", err)
		return noop
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		s.log.Warn("control socket", "err", err)
		return noop
	}
	path := controlPath(s.cfg.Store.Dir)
	os.Remove(path) // left by a server that died; this one holds the directory's lock
	ln, err := net.Listen("unix", path)
	if err != nil {
		s.log.Warn("control socket: kume keys and kume datasets cannot write while this server runs", "err", err)
		return noop
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /store/{op}", func(w http.ResponseWriter, r *http.Request) {
		rep := s.control(r.Context(), r.PathValue("op"), r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(rep)
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	s.log.Info("control socket", "path", path)
	return func() {
		hs.Close()
		os.Remove(path)
	}
}

// control carries out one store write of the control socket.
func (s *server) control(ctx context.Context, op string, body io.Reader) controlReply {
	var req controlRequest
	if err := json.NewDecoder(io.LimitReader(body, 1<<20)).Decode(&req); err != nil {
		return controlReply{Code: kume.EINVALID, Message: "malformed control request"}
	}
	var err error
	rep := controlReply{}
	switch {
	case op == "CreateKey" && req.Key != nil:
		req.Key.Hash = req.Hash
		err = s.store.CreateKey(ctx, req.Key)
		rep.Key = req.Key
	case op == "RevokeKey":
		err = s.store.RevokeKey(ctx, req.ID)
	case op == "GrantKey" && req.Grant != nil:
		err = s.store.GrantKey(ctx, req.ID, *req.Grant)
	case op == "RevokeGrant" && req.Grant != nil:
		err = s.store.RevokeGrant(ctx, req.ID, req.Grant.DatasetID)
	case op == "CreateDataset" && req.Dataset != nil:
		err = s.store.CreateDataset(ctx, req.Dataset)
		rep.Dataset = req.Dataset
	case op == "UpdateDataset" && req.Dataset != nil:
		err = s.store.UpdateDataset(ctx, req.Dataset)
	case op == "DeleteDataset":
		err = s.store.DeleteDataset(ctx, req.ID)
	default:
		return controlReply{Code: kume.EINVALID, Message: fmt.Sprintf("no control operation %q", op)}
	}
	if err != nil {
		if kume.ErrorCode(err) == kume.EINTERNAL {
			s.log.Error("control operation failed", slog.String("op", op), slog.Any("err", err))
		}
		return controlReply{Code: kume.ErrorCode(err), Message: kume.ErrorMessage(err)}
	}
	s.log.Info("control operation", slog.String("op", op))
	return rep
}

// besideServer is the embedded store of a data directory that a running kume
// serve holds: reads come from a read-only snapshot taken when it was
// opened; the writes of controlOps go to the server through its control
// socket; any other write fails, saying why.
type besideServer struct {
	*memory.Store
	dir    string
	socket string // "" when the server has no control socket
}

// openBesideServer opens dir, held by another process, as a besideServer.
func openBesideServer(dir string) (kume.Store, error) {
	ro, err := memory.OpenReadOnly(dir)
	if err != nil {
		return nil, err
	}
	b := besideServer{Store: ro, dir: dir}
	if fi, err := os.Stat(controlPath(dir)); err == nil && fi.Mode()&os.ModeSocket != 0 {
		b.socket = controlPath(dir)
	}
	return b, nil
}

// call sends one write to the server.
func (b besideServer) call(ctx context.Context, op string, req controlRequest) (controlReply, error) {
	if b.socket == "" {
		return controlReply{}, kume.Errorf(kume.EUNAVAILABLE, "another kume process (a running kume serve?) holds the data directory %s and offers no control socket (%s): "+
			"stop it to make this change, or make it through its HTTP API", b.dir, controlPath(b.dir))
	}
	body, err := json.Marshal(req)
	if err != nil {
		return controlReply{}, err
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", b.socket)
		}}}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://kume/store/"+op, bytes.NewReader(body))
	if err != nil {
		return controlReply{}, err
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return controlReply{}, fmt.Errorf("the data directory is held by a running kume serve, whose control socket %s does not answer: %w", b.socket, err)
	}
	defer resp.Body.Close()
	var rep controlReply
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&rep); err != nil {
		return controlReply{}, fmt.Errorf("control socket %s: %w", b.socket, err)
	}
	if rep.Code != "" {
		return rep, &kume.Error{Code: rep.Code, Message: rep.Message}
	}
	return rep, nil
}

// CreateKey stores the key through the server.
func (b besideServer) CreateKey(ctx context.Context, k *kume.APIKey) error {
	rep, err := b.call(ctx, "CreateKey", controlRequest{Key: k, Hash: k.Hash})
	if err != nil {
		return err
	}
	if rep.Key == nil {
		return errors.New("control socket: no key in the answer")
	}
	hash := k.Hash
	*k = *rep.Key
	k.Hash = hash
	return nil
}

// RevokeKey revokes the key through the server.
func (b besideServer) RevokeKey(ctx context.Context, id int64) error {
	_, err := b.call(ctx, "RevokeKey", controlRequest{ID: id})
	return err
}

// GrantKey gives the key a right through the server.
func (b besideServer) GrantKey(ctx context.Context, keyID int64, g kume.Grant) error {
	_, err := b.call(ctx, "GrantKey", controlRequest{ID: keyID, Grant: &g})
	return err
}

// RevokeGrant takes the key's right away through the server.
func (b besideServer) RevokeGrant(ctx context.Context, keyID, datasetID int64) error {
	_, err := b.call(ctx, "RevokeGrant", controlRequest{ID: keyID, Grant: &kume.Grant{DatasetID: datasetID}})
	return err
}

// CreateDataset creates the dataset through the server.
func (b besideServer) CreateDataset(ctx context.Context, d *kume.Dataset) error {
	rep, err := b.call(ctx, "CreateDataset", controlRequest{Dataset: d})
	if err == nil && rep.Dataset != nil {
		*d = *rep.Dataset
	}
	return err
}

// UpdateDataset changes the dataset through the server.
func (b besideServer) UpdateDataset(ctx context.Context, d *kume.Dataset) error {
	_, err := b.call(ctx, "UpdateDataset", controlRequest{Dataset: d})
	return err
}

// DeleteDataset deletes the dataset through the server.
func (b besideServer) DeleteDataset(ctx context.Context, id int64) error {
	_, err := b.call(ctx, "DeleteDataset", controlRequest{ID: id})
	return err
}
