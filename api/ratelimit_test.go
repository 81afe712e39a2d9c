package api

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kume-geo/kume/internal/teststores"
)

// TestTokenBuckets: a burst passes at once; a request beyond it waits for
// its token when that comes within the delay (the bucket goes into debt),
// is refused with the time to the next token otherwise; tokens come back at
// the rate; buckets refilled to full are dropped, and while the table is
// full new clients share one bucket.
func TestTokenBuckets(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newTokenBuckets(600, time.Minute, 3, 250*time.Millisecond) // 10 a second
	l.now = func() time.Time { return now }
	for i := range 3 {
		if wait, ok := l.take("a"); !ok || wait != 0 {
			t.Fatalf("burst request %d: wait %v, ok %v", i, wait, ok)
		}
	}
	for i, want := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond} {
		if wait, ok := l.take("a"); !ok || wait != want {
			t.Fatalf("request %d beyond the burst: wait %v, ok %v; want %v", i, wait, ok, want)
		}
	}
	if wait, ok := l.take("a"); ok || wait != 300*time.Millisecond {
		t.Fatalf("request beyond the delay: wait %v, ok %v; want refused, a token in 300ms", wait, ok)
	}
	if _, ok := l.take("b"); !ok {
		t.Fatal("another client is limited by a's bucket")
	}
	now = now.Add(time.Second) // 10 tokens: the debt of 2 paid, full again (3)
	for i := range 3 {
		if wait, ok := l.take("a"); !ok || wait != 0 {
			t.Fatalf("after a second, request %d: wait %v, ok %v", i, wait, ok)
		}
	}
	now = now.Add(time.Minute)
	l.take("c") // sweeps: a and b are full again
	if len(l.buckets) != 1 {
		t.Errorf("after the sweep %d buckets, want 1 (c)", len(l.buckets))
	}
	l.maxClients = 2
	l.take("d")
	l.take("e") // table full: e shares the overflow bucket
	if _, ok := l.buckets["e"]; ok || l.buckets[overflowClient] == nil {
		t.Errorf("a new client with the table full got its own bucket: %v", l.buckets)
	}
	if newTokenBuckets(0, time.Minute, 1, 0) != nil || newTokenBuckets(-1, time.Minute, 1, 0) != nil {
		t.Error("a rate of 0 or less is a limit")
	}
}

// TestIPClient: IPv4 clients are limited each on its own, IPv6 clients by
// their /64.
func TestIPClient(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":            "ip:192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "ip:2001:db8:1:2::/64",
		"2001:db8:1:2:ff::1":   "ip:2001:db8:1:2::/64",
		"not an address":       "ip:not an address",
	} {
		if got := ipClient(in); got != want {
			t.Errorf("ipClient(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSequentialClientIsSlowedNotRefused: a client that makes one request
// after the other (as GDAL and QGIS page a collection) far beyond the burst
// gets every answer, slowed to the rate; clients in parallel beyond the rate
// and the delay get 429s, each with Retry-After.
func TestSequentialClientIsSlowedNotRefused(t *testing.T) {
	s, _, _ := newTestServer(t, teststores.Memory, func(c *Config, _ *Deps) {
		c.API.RatePerIP, c.API.RateWindow, c.API.BurstPerIP, c.API.RateDelay = 40, time.Second, 5, time.Second
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	start := time.Now()
	for i := range 25 {
		res, err := http.Get(srv.URL + "/api/v1/datasets")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("sequential request %d: %d", i, res.StatusCode)
		}
	}
	// 5 from the burst, 20 at 40 a second: at least half a second.
	if d := time.Since(start); d < 450*time.Millisecond {
		t.Errorf("25 sequential requests took %v; the rate (40/s, burst 5) allows no less than 0.5 s", d)
	}

	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for range 150 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Get(srv.URL + "/api/v1/datasets")
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			codes[res.StatusCode]++
			if res.StatusCode == http.StatusTooManyRequests {
				if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 {
					t.Errorf("429 with Retry-After %q", res.Header.Get("Retry-After"))
				}
			}
		}()
	}
	wg.Wait()
	// The burst is spent: at most 40 a second for the one second of delay,
	// and a few more for the time the requests take to arrive.
	if codes[http.StatusTooManyRequests] == 0 || codes[http.StatusOK] > 60 || codes[http.StatusOK]+codes[http.StatusTooManyRequests] != 150 {
		t.Errorf("150 parallel requests: %v; want at most about 45 answered and the rest 429", codes)
	}
}
