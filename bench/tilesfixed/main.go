// Command tilesfixed is the baseline of the warm-tile benchmark: a chi router
// answering GET /tiles/{layers}/{z}/{x}/{y} with a fixed body of -size bytes
// and the headers a cached kume tile carries, so that the difference to kume's
// warm tiles is the cost of kume's own request handling.
package main

import (
	"flag"
	"log"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8091", "address to listen on (loopback)")
	size := flag.Int("size", 20<<10, "body size in bytes")
	flag.Parse()
	body := make([]byte, *size)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range body {
		body[i] = byte(r.IntN(256))
	}
	length := strconv.Itoa(len(body))
	mux := chi.NewRouter()
	mux.Get("/tiles/{layers}/{z}/{x}/{y}", func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/vnd.mapbox-vector-tile")
		h.Set("Cache-Control", "public, max-age=60")
		h.Set("Vary", "Accept-Encoding")
		h.Set("ETag", `"fixed"`)
		h.Set("Content-Length", length)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("fixed %d-byte tiles on %s", len(body), *addr)
	log.Fatal(srv.ListenAndServe())
}
