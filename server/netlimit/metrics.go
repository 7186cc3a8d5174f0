package netlimit

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	refused, acceptErrors, timedOut prometheus.Counter
	evictedPending, evictedIdle     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, l *Listener) *metrics {
	evicted := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "council_connections_evicted_total",
		Help: "Connections closed to make room for a new one: pending (no request yet) or idle (between requests).",
	}, []string{"state"})
	m := &metrics{
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "council_connections_refused_total", Help: "Connections refused at the connection cap, every other connection being busy.",
		}),
		acceptErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "council_accept_errors_total", Help: "Temporary errors accepting connections (e.g. out of file descriptors), retried after a backoff.",
		}),
		timedOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "council_connections_first_request_timeouts_total", Help: "Connections closed for sending no request within the first request timeout.",
		}),
		evictedPending: evicted.WithLabelValues("pending"),
		evictedIdle:    evicted.WithLabelValues("idle"),
	}
	if reg == nil {
		return m
	}
	reg.MustRegister(m.refused, m.acceptErrors, m.timedOut, evicted,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "council_connections_open", Help: "Client connections open (websockets included).",
		}, func() float64 { return float64(l.Open()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "council_connections_pending", Help: "Client connections waiting for their first request.",
		}, func() float64 { return float64(l.Pending()) }),
	)
	return m
}
