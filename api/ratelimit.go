package api

import (
	"math"
	"net/netip"
	"sync"
	"time"
)

// tokenBuckets limits the request rate of each client with a token bucket:
// a client's bucket holds at most burst tokens and gains rate tokens a
// second; a request takes one. A request that finds the bucket empty waits
// for its token when it comes within maxDelay (the bucket goes into debt, so
// the waiting requests of a client are at most rate × maxDelay), and is
// refused otherwise, with the time after which a token will be there. A
// client that keeps to the rate, like a GIS client paging a collection one
// request after the other, is slowed to the rate and never refused; a burst
// of a web page's tiles passes at once.
//
// The table of buckets is bounded: buckets that have refilled to full are
// dropped (a full bucket is a new one), at most once a minute or when the
// table is full, and while it is still full new clients share one bucket.
type tokenBuckets struct {
	rate       float64 // tokens a second
	burst      float64
	maxDelay   time.Duration
	maxClients int
	now        func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

// bucket is one client's tokens at a time.
type bucket struct {
	tokens float64
	at     time.Time
}

// overflowClient is the bucket new clients share while the table is full.
const overflowClient = "\x00overflow"

// defaultMaxClients bounds the buckets kept (about 100 bytes each).
const defaultMaxClients = 100_000

// newTokenBuckets returns a limiter of n requests per window with bursts of
// burst requests and waits of at most maxDelay; nil when n ≤ 0 (no limit).
func newTokenBuckets(n int, window time.Duration, burst int, maxDelay time.Duration) *tokenBuckets {
	if n <= 0 || window <= 0 {
		return nil
	}
	return &tokenBuckets{
		rate:       float64(n) / window.Seconds(),
		burst:      float64(max(burst, 1)),
		maxDelay:   max(maxDelay, 0),
		maxClients: defaultMaxClients,
		now:        time.Now,
		buckets:    map[string]*bucket{},
	}
}

// take takes a token of client's bucket. With ok, the request may go after
// waiting wait (0: at once); without, it is refused and a token will be
// there after wait.
func (l *tokenBuckets) take(client string) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) >= time.Minute || len(l.buckets) >= l.maxClients {
		l.sweep(now)
	}
	b := l.buckets[client]
	if b == nil {
		if len(l.buckets) >= l.maxClients {
			client = overflowClient
			b = l.buckets[client]
		}
		if b == nil {
			b = &bucket{tokens: l.burst, at: now}
			l.buckets[client] = b
		}
	}
	if d := now.Sub(b.at).Seconds(); d > 0 {
		b.tokens = math.Min(l.burst, b.tokens+d*l.rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	wait = time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	if wait > l.maxDelay {
		return wait, false
	}
	b.tokens--
	return wait, true
}

// sweep drops the buckets that have refilled to full by now.
func (l *tokenBuckets) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// ipClient is the rate-limit client of an address: the address itself, or
// for IPv6 its /64 network, which one subscriber usually holds whole.
func ipClient(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return "ip:" + ip
	}
	p, _ := a.Prefix(64) // a valid IPv6 address always has a /64
	return "ip:" + p.String()
}
