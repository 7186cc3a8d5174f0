package realtime

import "time"

// startPlan is what a new connection is sent before its queue: nothing (live only), a resync,
// or the record between after and last.
type startPlan struct {
	after    int64 // the client has everything up to here
	last     int64 // where the start ends and the queue takes over
	attached int64 // the council's last delivered seq when the connection attached
	resync   bool
	given    bool      // the client asked for after
	at       time.Time // the client's "at" of event after (zero: not given)
}

// planStart decides how a connection that asked for after (<0: not given) starts, given the last
// seq delivered before it attached; it sets the writer's starting point.
func (c *conn) planStart(after, last int64) startPlan {
	switch {
	case after < 0:
		c.lastSent = last
		return startPlan{after: last, last: last, attached: last}
	case after >= last:
		c.lastSent = after // a client ahead of this process skips what it has
		return startPlan{after: after, last: after, attached: last, given: true}
	case last-after > int64(c.h.opts.ResyncAfter):
		return startPlan{after: after, last: last, attached: last, given: true, resync: true}
	default:
		c.lastSent = after
		return startPlan{after: after, last: last, attached: last, given: true}
	}
}

// knownPosition reports whether the record holds event after — with the "at" the client saw,
// when it says — so that a client whose position the record does not know (the database was
// restored from a backup, or the client came from elsewhere) starts over rather than skip
// events or take others' for its own.
func (c *conn) knownPosition(p startPlan) (bool, error) {
	if !p.given || p.after == 0 {
		return true, nil
	}
	evs, err := c.h.eventsAfter(c.councilID, p.after-1, 1)
	if err != nil {
		return false, err
	}
	if len(evs) == 0 || evs[0].Seq != p.after {
		return false, nil
	}
	return p.at.IsZero() || evs[0].At.Equal(p.at), nil
}

// sendStart writes the resync frame, or the record's events in (after, last], before anything
// queued; queued events at or below last are then skipped, so nothing arrives twice. A record
// that cannot be read kicks the connection with 1011; only a failed write returns an error.
func (c *conn) sendStart(p startPlan) error {
	known, err := c.knownPosition(p)
	if err != nil {
		c.h.log.Warn("realtime: cannot check a resume position", "council", c.councilID, "err", err)
		c.kick(closeInternal, "record unavailable")
		return nil
	}
	if !known {
		c.h.log.Info("realtime: a client resumed from a position the record does not hold; it starts over",
			"council", c.councilID, "after", p.after)
		return c.writeQueued(outBatch{resyncFrame(p.attached)})
	}
	if p.resync {
		return c.writeQueued(outBatch{resyncFrame(p.last)})
	}
	for c.lastSent < p.last {
		evs, err := c.h.eventsAfter(c.councilID, c.lastSent, min(catchUpPage, int(p.last-c.lastSent)))
		if err != nil {
			c.h.log.Warn("realtime: cannot resume from the record", "council", c.councilID, "err", err)
			c.kick(closeInternal, "record unavailable")
			return nil
		}
		if len(evs) == 0 || evs[0].Seq != c.lastSent+1 {
			c.h.log.Error("realtime: record has a gap", "council", c.councilID, "missing", c.lastSent+1)
			c.kick(closeInternal, "record incomplete")
			return nil
		}
		if err := c.writeEvents(evs, p.last); err != nil {
			return err
		}
	}
	return nil
}

// writeEvents writes record events up to last.
func (c *conn) writeEvents(evs []Event, last int64) error {
	w := c.newBatchWriter()
	defer w.release()
	for _, ev := range evs {
		if ev.Seq != c.lastSent+1 || ev.Seq > last {
			break
		}
		if err := w.add(eventFrame(ev)); err != nil {
			return err
		}
	}
	return w.flush()
}
