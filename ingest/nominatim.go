package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kume-geo/kume"
)

// Nominatim geocodes with a Nominatim-compatible HTTP service (its /search
// endpoint, format jsonv2). It keeps answers in an on-disk cache, sends at
// most one request per Interval, retries failed requests (network errors, 429
// and 5xx) with doubling back-off, and derives the precision from the result's
// addresstype, or its place_rank when the type says nothing.
type Nominatim struct {
	// BaseURL is the service root, e.g. https://nominatim.openstreetmap.org.
	BaseURL string
	// Client is the HTTP client (default: one with a 30 s timeout).
	Client *http.Client
	// UserAgent identifies the application, as the public service requires.
	UserAgent string
	// CacheDir holds cached answers; "" turns the cache off.
	CacheDir string
	// Interval is the least time between two requests (default 1 s).
	Interval time.Duration
	// Retries is how often a failed request is retried (default 3); Backoff
	// the first wait (default 2 s), doubled each time.
	Retries int
	Backoff time.Duration
	// CountryCodes limits the search (e.g. "tr,de"); optional.
	CountryCodes string

	mu   sync.Mutex
	last time.Time
}

// NewNominatim returns a geocoder for the service at baseURL with the defaults.
func NewNominatim(baseURL, userAgent, cacheDir string) *Nominatim {
	return &Nominatim{BaseURL: strings.TrimRight(baseURL, "/"), UserAgent: userAgent, CacheDir: cacheDir,
		Client: &http.Client{Timeout: 30 * time.Second}, Interval: time.Second, Retries: 3, Backoff: 2 * time.Second}
}

// nominatimPlace is one result of /search?format=jsonv2.
type nominatimPlace struct {
	Lat         string `json:"lat"`
	Lon         string `json:"lon"`
	PlaceRank   int    `json:"place_rank"`
	AddressType string `json:"addresstype"`
}

// Geocode implements Geocoder.
func (n *Nominatim) Geocode(ctx context.Context, q Query) (Result, bool, error) {
	text := describe(q)
	if text == "" {
		return Result{}, false, nil
	}
	v := url.Values{"q": {text}, "format": {"jsonv2"}, "limit": {"1"}}
	if n.CountryCodes != "" {
		v.Set("countrycodes", n.CountryCodes)
	}
	u := n.BaseURL + "/search?" + v.Encode()
	body, err := n.cached(u)
	if err != nil {
		if body, err = n.fetch(ctx, u); err != nil {
			return Result{}, false, err
		}
		n.store(u, body)
	}
	var places []nominatimPlace
	if err := json.Unmarshal(body, &places); err != nil {
		return Result{}, false, fmt.Errorf("nominatim: bad answer: %w", err)
	}
	if len(places) == 0 {
		return Result{}, false, nil
	}
	p := places[0]
	lat, err1 := strconv.ParseFloat(p.Lat, 64)
	lon, err2 := strconv.ParseFloat(p.Lon, 64)
	if err1 != nil || err2 != nil || !validLonLat(lon, lat) {
		return Result{}, false, fmt.Errorf("nominatim: bad coordinates %q, %q", p.Lat, p.Lon)
	}
	return Result{Lon: lon, Lat: lat, Precision: NominatimPrecision(p.AddressType, p.PlaceRank), Source: "nominatim"}, true, nil
}

// NominatimPrecision maps a Nominatim result's addresstype (or, when the type
// is not telling, its place_rank) to a precision.
func NominatimPrecision(addressType string, rank int) kume.Precision {
	switch addressType {
	case "house", "building", "amenity", "shop", "office", "craft", "tourism", "leisure", "man_made", "industrial", "place":
		if rank >= 28 || addressType != "place" {
			return kume.PrecisionAddress
		}
	case "road", "street", "highway":
		return kume.PrecisionStreet
	case "postcode":
		return kume.PrecisionPostcode
	case "suburb", "quarter", "neighbourhood", "city_district", "district", "borough", "town", "village",
		"city", "municipality", "county", "hamlet":
		return kume.PrecisionDistrict
	case "state", "province", "region", "state_district":
		return kume.PrecisionProvince
	case "country":
		return kume.PrecisionCountry
	}
	switch {
	case rank >= 28:
		return kume.PrecisionAddress
	case rank >= 26:
		return kume.PrecisionStreet
	case rank >= 13:
		return kume.PrecisionDistrict
	case rank >= 5:
		return kume.PrecisionProvince
	default:
		return kume.PrecisionCountry
	}
}

// fetch sends the request, waiting for the rate limit and retrying failures.
func (n *Nominatim) fetch(ctx context.Context, u string) ([]byte, error) {
	wait := n.Backoff
	var last error
	for attempt := 0; attempt <= n.Retries; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
			wait *= 2
		}
		if err := n.throttle(ctx); err != nil {
			return nil, err
		}
		body, retry, err := n.get(ctx, u)
		if err == nil {
			return body, nil
		}
		if !retry {
			return nil, err
		}
		last = err
	}
	return nil, fmt.Errorf("nominatim: giving up after %d attempts: %w", n.Retries+1, last)
}

// get sends one request; retry says whether a failure is worth retrying.
func (n *Nominatim) get(ctx context.Context, u string) (body []byte, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, fmt.Errorf("nominatim: %w", err)
	}
	if n.UserAgent != "" {
		req.Header.Set("User-Agent", n.UserAgent)
	}
	req.Header.Set("Accept", "application/json")
	client := n.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, fmt.Errorf("nominatim: %w", err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	switch {
	case err != nil:
		return nil, true, fmt.Errorf("nominatim: reading answer: %w", err)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, true, fmt.Errorf("nominatim: %s", resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, false, fmt.Errorf("nominatim: %s", resp.Status)
	}
	return body, false, nil
}

// throttle waits until Interval has passed since the previous request.
func (n *Nominatim) throttle(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	interval := n.Interval
	if interval == 0 {
		interval = time.Second
	}
	if d := time.Until(n.last.Add(interval)); d > 0 {
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	n.last = time.Now()
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (n *Nominatim) cachePath(u string) string {
	sum := sha256.Sum256([]byte(u))
	h := hex.EncodeToString(sum[:])
	return filepath.Join(n.CacheDir, h[:2], h+".json")
}

// cached returns a cached answer.
func (n *Nominatim) cached(u string) ([]byte, error) {
	if n.CacheDir == "" {
		return nil, errors.New("no cache")
	}
	return os.ReadFile(n.cachePath(u))
}

// store caches an answer; a cache that cannot be written only costs requests.
func (n *Nominatim) store(u string, body []byte) {
	if n.CacheDir == "" {
		return
	}
	p := n.cachePath(u)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	tmp := p + ".tmp"
	if os.WriteFile(tmp, body, 0o644) == nil {
		_ = os.Rename(tmp, p)
	}
}
