package httpapi

import (
	"crypto/subtle"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/perushtitsa/council/server/council"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	votes    prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "council_http_requests_total", Help: "HTTP requests answered, by method, route and status class.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "council_http_request_duration_seconds", Help: "Time to answer HTTP requests, by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
		votes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "council_votes_cast_total", Help: "Votes cast or changed and committed.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.votes)
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// metricsHandler serves the Prometheus metrics to the holder of the metrics token only: they
// show the activity of members-only rounds. Without a token configured, /metrics is off.
func (s *Server) metricsHandler() fiber.Handler {
	serve := adaptor.HTTPHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	want := []byte("Bearer " + s.metricsToken)
	return func(c *fiber.Ctx) error {
		if s.metricsToken == "" {
			return fiber.NewError(fiber.StatusNotFound, "No such endpoint.")
		}
		if subtle.ConstantTimeCompare([]byte(c.Get(fiber.HeaderAuthorization)), want) != 1 {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return council.Errorf(council.CodeUnauthenticated, "The metrics need the bearer token set as METRICS_TOKEN.")
		}
		return serve(c)
	}
}
