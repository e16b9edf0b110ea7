package web

import (
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	cacheHits    prometheus.Counter
	cacheRenders prometheus.Counter
	cacheStale   prometheus.Counter
	series       seriesCache
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amends_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "amends_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "amends_page_cache_hits_total",
			Help: "Public page requests answered from memory without rendering.",
		}),
		cacheRenders: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "amends_page_cache_renders_total",
			Help: "Public pages rendered because data changed or the page expired.",
		}),
		cacheStale: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "amends_page_cache_stale_total",
			Help: "Public page requests answered with the last good copy because rendering failed.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.cacheHits, m.cacheRenders, m.cacheStale)
	m.series.m = m
	return m
}

func (s *Server) handleMetrics() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
}
