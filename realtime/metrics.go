package realtime

import "github.com/prometheus/client_golang/prometheus"

// metrics are per Hub, so that several hubs (tests, or one per process) never collide; they
// are registered only when Options.Registerer is set.
type metrics struct {
	connections     prometheus.Gauge
	delivered       prometheus.Counter
	overflows       prometheus.Counter
	latency         prometheus.Histogram
	published       prometheus.Counter
	publishFailures prometheus.Counter
	recordReads     prometheus.Counter
	refused         prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "council_websocket_connections",
			Help: "Open live-update websocket connections.",
		}),
		delivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "council_events_delivered_total",
			Help: "Events written to websocket clients (one per client per event).",
		}),
		overflows: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "council_websocket_queue_overflows_total",
			Help: "Clients disconnected with 4008 because their send queue was full.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "council_event_delivery_latency_seconds",
			Help:    "Time from an event's commit to its write on a websocket.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "council_events_published_total",
			Help: "Events handed to the hub by the server after commit.",
		}),
		publishFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "council_broker_publish_failures_total",
			Help: "Events the broker could not publish (or dropped because its queue was full); other processes repair from the record.",
		}),
		recordReads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "council_realtime_record_reads_total",
			Help: "Reads of the event record to fill a gap, resume a client or catch up after a broker outage.",
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "council_websocket_refused_total",
			Help: "Websocket upgrades refused because the session or the user holds as many as allowed.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.connections, m.delivered, m.overflows, m.latency, m.published,
			m.publishFailures, m.recordReads, m.refused)
	}
	return m
}
