// The fixture inference service as a real container: the endpoints the maintenance product watches
// (/health, /ready, /metrics in Prometheus text) plus test hooks to fail readiness, burn CPU and slow
// its predictions down, and an access log under /var/log/pno that the image's logrotate config
// rotates. Standard library only, built static (CGO_ENABLED=0) so the image needs no libc.
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Bucket bounds in seconds, as the production service exports them.
var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type histogram struct {
	mu     sync.Mutex
	counts []uint64 // one per bucket, not cumulative
	sum    float64
	total  uint64
}

func (h *histogram) observe(seconds float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, bound := range buckets {
		if seconds <= bound {
			h.counts[i]++
			break
		}
	}
	h.sum += seconds
	h.total++
}

func (h *histogram) write(w http.ResponseWriter, name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s Time spent on one inference request.\n# TYPE %s histogram\n", name, name)
	var cumulative uint64
	for i, bound := range buckets {
		cumulative += h.counts[i]
		fmt.Fprintf(w, "%s_bucket{le=\"%s\"} %d\n", name, strconv.FormatFloat(bound, 'f', -1, 64), cumulative)
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %g\n%s_count %d\n", name, h.total, name, h.sum, name, h.total)
}

type service struct {
	accessLog    string
	notReadyFlag string // readiness fails while this file exists (a test can create it over exec)
	notReady     atomic.Bool
	burns        burns
	errors       atomic.Uint64
	slowBy       atomic.Int64 // added to every /predict, in nanoseconds: a slow release
	duration     histogram
	logMu        sync.Mutex
}

// logAccess opens the file for every line, so a rotation that moves the file away is followed at once.
func (s *service) logAccess(r *http.Request, status int, took time.Duration) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	f, err := os.OpenFile(s.accessLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		log.Printf("access log: %v", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s %s %s %d %.6f\n", time.Now().UTC().Format(time.RFC3339Nano), r.RemoteAddr, r.Method, r.URL.RequestURI(), status, took.Seconds())
}

// burns hands each burn the channel that a stop closes.
type burns struct {
	mu   sync.Mutex
	stop chan struct{}
}

func (b *burns) current() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stop == nil {
		b.stop = make(chan struct{})
	}
	return b.stop
}

func (b *burns) stopAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stop != nil {
		close(b.stop)
		b.stop = nil
	}
}

func (s *service) ready() bool {
	if s.notReady.Load() {
		return false
	}
	_, err := os.Stat(s.notReadyFlag)
	return os.IsNotExist(err)
}

func (s *service) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, `{"status":"ok"}`) })
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		if !s.ready() {
			http.Error(w, `{"status":"not ready"}`, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, `{"status":"ready"}`)
	})
	mux.HandleFunc("POST /ready/fail", func(w http.ResponseWriter, _ *http.Request) { s.notReady.Store(true) })
	mux.HandleFunc("POST /ready/ok", func(w http.ResponseWriter, _ *http.Request) { s.notReady.Store(false) })
	// A stand-in inference: records a duration, and an error when asked to fail.
	mux.HandleFunc("POST /predict", func(w http.ResponseWriter, r *http.Request) {
		took := time.Duration(rand.IntN(20)+1)*time.Millisecond + time.Duration(s.slowBy.Load())
		time.Sleep(took)
		s.duration.observe(took.Seconds())
		if r.URL.Query().Get("fail") != "" {
			s.errors.Add(1)
			http.Error(w, `{"error":"inference failed"}`, http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, `{"prediction":[0.0]}`)
	})
	// Makes every /predict this much slower (seconds in [0, 10]; 0 ends it), for the latency alert.
	mux.HandleFunc("POST /slow", func(w http.ResponseWriter, r *http.Request) {
		seconds, err := strconv.ParseFloat(r.URL.Query().Get("seconds"), 64)
		if err != nil || seconds < 0 || seconds > 10 {
			http.Error(w, "seconds must be in [0, 10]", http.StatusBadRequest)
			return
		}
		s.slowBy.Store(int64(seconds * float64(time.Second)))
	})
	// Keeps one core busy for the given seconds (in the background), for CPU metrics and autoscaling.
	mux.HandleFunc("POST /burn", func(w http.ResponseWriter, r *http.Request) {
		seconds, err := strconv.ParseFloat(r.URL.Query().Get("seconds"), 64)
		if err != nil || seconds <= 0 || seconds > 600 {
			http.Error(w, "seconds must be in (0, 600]", http.StatusBadRequest)
			return
		}
		stop := s.burns.current()
		go func(until time.Time) {
			for x := 0; time.Now().Before(until); x++ {
				if x%1_000_000 == 0 {
					select {
					case <-stop:
						return
					default:
					}
				}
				_ = x * x
			}
		}(time.Now().Add(time.Duration(seconds * float64(time.Second))))
		w.WriteHeader(http.StatusAccepted)
	})
	// Ends every burn at once, so a test's load never outlives the test on a shared machine.
	mux.HandleFunc("POST /burn/stop", func(w http.ResponseWriter, _ *http.Request) { s.burns.stopAll() })
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		s.duration.write(w, "pno_inference_duration_seconds")
		fmt.Fprintf(w, "# HELP pno_inference_errors_total Inference requests that failed.\n# TYPE pno_inference_errors_total counter\npno_inference_errors_total %d\n", s.errors.Load())
	})
	return mux
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (s *service) withAccessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.logAccess(r, rec.status, time.Since(started))
	})
}

func main() {
	addr := flag.String("listen", ":8000", "address to serve on")
	accessLog := flag.String("access-log", "/var/log/pno/access.log", "access log file")
	notReadyFlag := flag.String("not-ready-file", "/tmp/not-ready", "readiness fails while this file exists")
	neverReady := flag.Bool("never-ready", false, "readiness never passes (the image of a broken release)")
	flag.Parse()
	if err := os.MkdirAll(filepath.Dir(*accessLog), 0o755); err != nil {
		log.Fatal(err)
	}
	s := &service{accessLog: *accessLog, notReadyFlag: *notReadyFlag, duration: histogram{counts: make([]uint64, len(buckets))}}
	s.notReady.Store(*neverReady)
	log.Printf("fixture service listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, s.withAccessLog(s.routes())))
}
