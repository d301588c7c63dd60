package ui

import (
	"os"
	"strconv"
	"time"

	"github.com/coopledger/coopledger/ledger/store"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics served at /metrics: requests by
// route and status, their latency, the scheduler's job runs, and the size
// of the store file, plus the Go runtime's own.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
	jobTime  *prometheus.HistogramVec
}

// NewMetrics registers the metrics for one store.
func NewMetrics(db *store.DB) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coopledger_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "coopledger_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coopledger_job_runs_total", Help: "Scheduler job runs (monthly close drafts, backups) by result.",
		}, []string{"job", "result"}),
		jobTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "coopledger_job_duration_seconds", Help: "Scheduler job run time.",
		}, []string{"job"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.jobs, m.jobTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "coopledger_store_bytes", Help: "Size of the store file.",
		}, func() float64 {
			fi, err := os.Stat(db.Bolt().Path())
			if err != nil {
				return 0
			}
			return float64(fi.Size())
		}))
	return m
}

// ObserveJob records one run of a scheduler job.
func (m *Metrics) ObserveJob(job string, err error, took time.Duration) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.jobs.WithLabelValues(job, result).Inc()
	m.jobTime.WithLabelValues(job).Observe(took.Seconds())
}

// middleware counts and times every request under its route template
// (/api/v1/time-entries/:id, never the id itself, so labels stay few).
func (m *Metrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status, _ = classify(err)
	}
	route := c.Route().Path
	m.requests.WithLabelValues(route, c.Method(), strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, c.Method()).Observe(time.Since(start).Seconds())
	return err
}

// handler serves the metrics in Prometheus's text format.
func (m *Metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}
